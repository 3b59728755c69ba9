/** The container images Bourse deploys, one ECR repository each. Third-party images are rebuilt from a pinned
 * upstream in infra/images/<name>/Dockerfile (with Bourse's configuration baked in), so every image is scanned on
 * push into Bourse's registry and nothing is pulled from the internet at run time. */
export const SERVICE_IMAGES = [
  'gateway',
  'engine',
  'projection',
  'market-data',
  'web',
  'remediation-controller',
] as const;
export const SIDECAR_IMAGES = ['vector', 'otel-collector'] as const;
export const OBSERVABILITY_IMAGES = [
  'victoria-metrics',
  'vmagent',
  'vmalert',
  'alertmanager',
  'grafana',
  'jaeger',
] as const;
export const IMAGE_NAMES = [...SERVICE_IMAGES, ...SIDECAR_IMAGES, ...OBSERVABILITY_IMAGES] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

/** ECR repository name of an image: `bourse/<image>`. */
export function repositoryName(image: ImageName): string {
  return `bourse/${image}`;
}
