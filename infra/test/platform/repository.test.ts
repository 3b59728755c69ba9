/**
 * What the platform keeps in the repository rather than in templates: the deploy workflow, the image sources
 * (with Grafana's dashboards and vmalert's rules), the failover runbook and the synth benchmark.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { IMAGE_NAMES, SERVICE_IMAGES } from '../../lib/platform/images.ts';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('the deploy workflow', () => {
  const workflow = read('.github/workflows/deploy.yml');
  const perEnvironment = read('.github/workflows/deploy-environment.yml');

  it('tests, synthesizes, builds, scans and pushes every image', () => {
    assert.match(workflow, /run: npm test/);
    assert.match(workflow, /run: npm run synth/);
    for (const image of IMAGE_NAMES) assert.match(workflow, new RegExp(`^\\s+- ${image}$`, 'm'), image);
    assert.match(workflow, /docker build/);
    assert.match(workflow, /trivy-action/);
    assert.match(workflow, /docker push/);
    assert.match(workflow, /aws ecr wait image-scan-complete/);
  });

  it('deploys dev, then staging, then prod, each in its own GitHub environment with OIDC credentials', () => {
    assert.match(workflow, /deploy-dev:\n\s+needs: \[synth, images\]/);
    assert.match(workflow, /deploy-staging:\n\s+needs: deploy-dev/);
    assert.match(workflow, /deploy-prod:\n\s+needs: deploy-staging/);
    assert.match(perEnvironment, /environment: \$\{\{ inputs\.environment \}\}/);
    assert.match(perEnvironment, /id-token: write/);
    assert.match(perEnvironment, /role\/bourse-github-deploy-\$\{\{ inputs\.environment \}\}/);
    assert.doesNotMatch(workflow + perEnvironment, /aws-access-key-id|AWS_SECRET_ACCESS_KEY/);
  });
});

describe('images', () => {
  it('has a build for every ECR repository', () => {
    for (const image of IMAGE_NAMES) {
      const own = existsSync(new URL(`infra/images/${image}/Dockerfile`, root));
      const service = (SERVICE_IMAGES as readonly string[]).includes(image);
      assert.ok(own || service, image);
    }
    assert.match(read('infra/images/bourse-service/Dockerfile'), /ARG SERVICE/);
  });

  it('provisions Grafana with the dashboards kept in the repository', () => {
    const dir = new URL('infra/images/grafana/dashboards/', root);
    const dashboards = readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.ok(dashboards.length >= 2);
    for (const file of dashboards) {
      const dashboard = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as {
        uid: string;
        panels: unknown[];
      };
      assert.ok(dashboard.uid && dashboard.panels.length > 0, file);
    }
    assert.match(read('infra/images/grafana/Dockerfile'), /COPY dashboards\//);
    assert.match(read('infra/images/grafana/provisioning/dashboards/dashboards.yaml'), /type: file/);
  });

  it('routes alerts from vmalert through Alertmanager to the remediation controller', () => {
    assert.match(read('infra/images/vmalert/rules/bourse.yaml'), /remediation: (restart|scale-out)/);
    assert.match(read('infra/images/alertmanager/alertmanager.yml'), /remediation-controller:8085\/alerts/);
    assert.match(read('infra/images/vector/vector.yaml'), /type: kafka/);
    assert.match(read('infra/images/otel-collector/gateway.yaml'), /jaeger:4317/);
  });
});

describe('operations', () => {
  it('writes the failover steps down', () => {
    const runbook = read('infra/docs/failover.md');
    for (const step of [
      /promote-read-replica-db-cluster/,
      /delete-replicator/,
      /desired-count 0/,
      /canary/,
    ]) {
      assert.match(runbook, step);
    }
  });

  it('benchmarks a synthesis of the whole app', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts['bench:synth'], 'node infra/bench/synth.bench.ts');
    assert.ok(existsSync(new URL('infra/bench/synth.bench.ts', root)));
  });
});
