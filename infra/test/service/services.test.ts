/**
 * Every environment's services and observability components, synthesized once: what BourseService builds for
 * each Bourse service, and a walk over every task role in the synthesized app proving least privilege.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { bourseConfig } from '../../lib/config/bourse.config.ts';
import { consumerGroups, WILDCARD_RESOURCE_EXCEPTIONS } from '../../lib/service/bourse-service.ts';
import { SERVICE_DEFINITIONS } from '../../lib/service/definitions.ts';
import { environmentStackIds, synthesizePlatform, type TemplateJson } from '../platform/support.ts';

const environments = bourseConfig.environments.map((e) => e.name);
const synth = synthesizePlatform([
  ...environments.flatMap((e) => environmentStackIds(e)),
  'Images',
  'Cicd-build',
]);
const dev = synth.template('Services-dev');
const devJson = synth.json('Services-dev');

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON.
type Resource = { Type: string; Properties: any };
const resources = (json: TemplateJson) => Object.entries(json.Resources) as [string, Resource][];
const ofType = (json: TemplateJson, type: string) => resources(json).filter(([, r]) => r.Type === type);

function serviceNamed(json: TemplateJson, name: string): Resource {
  const found = ofType(json, 'AWS::ECS::Service').find(([, s]) => s.Properties.ServiceName === name);
  assert.ok(found, name);
  return found[1];
}
function taskDefinitionOf(json: TemplateJson, service: Resource): Resource {
  const id = service.Properties.TaskDefinition.Ref;
  const task = json.Resources[id] as Resource | undefined;
  assert.ok(task, id);
  return task;
}

describe('Bourse services', () => {
  it('deploys gateway, engine, projection, market data, the web page and the remediation controller in every environment', () => {
    for (const env of environments) {
      const names = ofType(synth.json(`Services-${env}`), 'AWS::ECS::Service').map(
        ([, s]) => s.Properties.ServiceName,
      );
      assert.deepEqual(names.sort(), SERVICE_DEFINITIONS.map((d) => d.serviceName).sort(), env);
    }
  });

  it('rolls a failed deployment back with the circuit breaker', () => {
    for (const [, s] of ofType(devJson, 'AWS::ECS::Service')) {
      assert.deepEqual(s.Properties.DeploymentConfiguration.DeploymentCircuitBreaker, {
        Enable: true,
        Rollback: true,
      });
      assert.equal(s.Properties.EnableExecuteCommand, false);
    }
  });

  it('places the engine and the gateway on latency capacity and the others on spread capacity', () => {
    for (const definition of SERVICE_DEFINITIONS) {
      const strategy = serviceNamed(devJson, definition.serviceName).Properties.CapacityProviderStrategy;
      assert.equal(strategy.length, 1);
      assert.match(
        JSON.stringify(strategy[0].CapacityProvider),
        definition.latencySensitive ? /Latency/ : /General/,
        definition.serviceName,
      );
    }
  });

  it('runs the engine as a single writer: one task, the old one stopped before the new one starts', () => {
    const engine = serviceNamed(devJson, 'engine').Properties;
    assert.equal(engine.DesiredCount, 1);
    assert.equal(engine.DeploymentConfiguration.MinimumHealthyPercent, 0);
    assert.equal(engine.DeploymentConfiguration.MaximumPercent, 100);
  });

  it('gives every task a health check, the Vector log router and the OpenTelemetry collector with a Prometheus scrape', () => {
    for (const definition of SERVICE_DEFINITIONS) {
      const task = taskDefinitionOf(devJson, serviceNamed(devJson, definition.serviceName));
      const containers = task.Properties.ContainerDefinitions as Resource['Properties'][];
      const app = containers.find((c) => c.Name === definition.serviceName);
      const vector = containers.find((c) => c.Name === 'vector');
      const collector = containers.find((c) => c.Name === 'otel-collector');
      assert.ok(app && vector && collector, definition.serviceName);
      assert.match(
        app.HealthCheck.Command.join(' '),
        new RegExp(definition.healthCheck?.path.replace('/', '\\/') ?? '^$'),
      );
      assert.equal(app.LogConfiguration.LogDriver, 'awsfirelens');
      assert.equal(app.ReadonlyRootFilesystem, true);
      assert.deepEqual(vector.FirelensConfiguration, { Type: 'fluentd' });
      assert.ok(
        vector.Environment.some(
          (e: { Name: string; Value: string }) => e.Name === 'KAFKA_TOPIC' && e.Value === 'bourse.logs',
        ),
      );
      const config = JSON.parse(
        collector.Environment.find((e: { Name: string }) => e.Name === 'OTEL_CONFIG').Value,
      );
      const [scrape] = config.receivers.prometheus.config.scrape_configs;
      assert.equal(scrape.job_name, definition.serviceName);
      assert.deepEqual(scrape.static_configs, [
        { targets: [`127.0.0.1:${definition.metricsPort ?? definition.containerPort}`] },
      ]);
      assert.equal(config.exporters.prometheusremotewrite.endpoint, 'http://vmagent:8429/api/v1/write');
      assert.equal(task.Properties.NetworkMode, 'awsvpc');
    }
  });

  it('scales the gateway on CPU', () => {
    dev.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 3,
      MaxCapacity: 12,
    });
    dev.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 60,
      }),
    });
  });

  it('routes public paths only with the CloudFront origin header', () => {
    const rules = ofType(devJson, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    assert.equal(rules.length, 2);
    for (const [, rule] of rules) {
      const header = rule.Properties.Conditions.find((c: { Field: string }) => c.Field === 'http-header');
      assert.equal(header.HttpHeaderConfig.HttpHeaderName, 'X-Bourse-Origin-Verify');
      assert.match(JSON.stringify(header.HttpHeaderConfig.Values), /resolve:secretsmanager/);
    }
  });

  it('raises alarms per service that reach the alarm topic, named for remediation', () => {
    for (const definition of SERVICE_DEFINITIONS) {
      for (const suffix of ['scale-out', 'restart', 'notify-tasks-missing']) {
        dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
          AlarmName: `bourse-dev/${definition.serviceName}/${suffix}`,
          AlarmActions: [Match.anyValue()],
        });
      }
    }
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'bourse-dev/gateway/notify-5xx' });
  });
});

describe('least privilege', () => {
  interface Statement {
    readonly Effect: string;
    readonly Action: string | string[];
    readonly Resource: unknown;
  }
  const templates = synth.artifacts.map((a) => [a.hierarchicalId, a.template as TemplateJson] as const);

  /** Each task role with every statement attached to it, inline or through an AWS::IAM::Policy. */
  function rolesReferencedAs(property: 'TaskRoleArn' | 'ExecutionRoleArn') {
    const roles: { where: string; role: string; statements: Statement[] }[] = [];
    for (const [stack, json] of templates) {
      const ids = new Set(
        ofType(json, 'AWS::ECS::TaskDefinition').map(([, t]) => t.Properties[property]?.['Fn::GetAtt']?.[0]),
      );
      for (const id of ids) {
        const role = json.Resources[id] as Resource | undefined;
        assert.ok(role && role.Type === 'AWS::IAM::Role', `${stack}/${id}`);
        assert.equal(role.Properties.ManagedPolicyArns, undefined, `${stack}/${id} has managed policies`);
        const statements: Statement[] = (role.Properties.Policies ?? []).flatMap(
          (p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement,
        );
        for (const [, policy] of ofType(json, 'AWS::IAM::Policy')) {
          if (policy.Properties.Roles.some((r: { Ref: string }) => r.Ref === id)) {
            statements.push(...policy.Properties.PolicyDocument.Statement);
          }
        }
        roles.push({ where: `${stack}/${id}`, role: id, statements });
      }
    }
    return roles;
  }
  const list = (x: unknown) => (Array.isArray(x) ? x : [x]);

  function assertLeastPrivilege(roles: ReturnType<typeof rolesReferencedAs>) {
    for (const { where, statements } of roles) {
      for (const s of statements) {
        assert.equal(s.Effect, 'Allow', where);
        const actions = list(s.Action) as string[];
        for (const action of actions) {
          assert.notEqual(action, '*', `${where}: '*' action`);
          assert.doesNotMatch(action, /^[a-z0-9-]+:\*$/, `${where}: every action of a service`);
        }
        if (list(s.Resource).includes('*')) {
          for (const action of actions) {
            assert.ok(
              action in WILDCARD_RESOURCE_EXCEPTIONS,
              `${where}: ${action} on '*' is not a listed exception (${Object.keys(WILDCARD_RESOURCE_EXCEPTIONS).join(', ')})`,
            );
          }
        }
      }
    }
  }

  it('walks every task role in the app: no * action, no * resource', () => {
    const roles = rolesReferencedAs('TaskRoleArn');
    // Six services and seven observability components per environment.
    assert.equal(roles.length, environments.length * 13);
    assertLeastPrivilege(roles);
    for (const { where, statements } of roles) {
      for (const s of statements)
        assert.ok(!list(s.Resource).includes('*'), `${where}: task roles need no exception`);
    }
  });

  it('walks every execution role: only the listed exceptions use *', () => {
    const roles = rolesReferencedAs('ExecutionRoleArn');
    assert.equal(roles.length, environments.length * 13);
    assertLeastPrivilege(roles);
  });

  it('derives each task role from what the service declares', () => {
    const roles = rolesReferencedAs('TaskRoleArn').filter(({ where }) => where.startsWith('Services-dev/'));
    const policyOf = (service: string) => {
      const found = roles.find(({ role }) => role.startsWith(service.replaceAll('-', '')));
      assert.ok(found, service);
      return JSON.stringify(found.statements);
    };
    const engine = policyOf('engine');
    assert.match(engine, /topic\/bourse-dev-bus\/.*\/bourse\.events/);
    assert.match(engine, /"kafka-cluster:WriteData"/);
    assert.doesNotMatch(engine, /rds-db|elasticache|events:PutEvents/);
    for (const group of consumerGroups('engine', ['bourse.commands']))
      assert.ok(engine.includes(`/${group}`));

    const gateway = policyOf('gateway');
    assert.match(gateway, /rds-db:connect/);
    assert.match(gateway, /dbuser:.*\/gateway"/);
    assert.match(gateway, /user:bourse-dev-gateway"/);

    const web = policyOf('web');
    assert.doesNotMatch(web, /ReadData|rds-db|elasticache/);

    const controller = policyOf('remediationcontroller');
    assert.match(controller, /events:PutEvents/);
    assert.doesNotMatch(controller, /rds-db|elasticache/);
  });
});

describe('checks', () => {
  it('leaves no cdk-nag or policy-as-code finding unacknowledged in any environment', () => {
    assert.deepEqual(synth.violations, []);
  });
});
