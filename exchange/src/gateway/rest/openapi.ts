import { rejectionTable } from '../binance/api-error.ts';
import type { ParamSpec } from '../binance/params.ts';
import { RESPONSE_SCHEMAS } from './response-schemas.ts';
import { RawBody, type Route, SIGNED_PARAMS } from './route.ts';

/**
 * The OpenAPI 3.1 document, generated from the route table itself (paths, parameters, weights,
 * security), so it cannot drift from what the server does.
 */
export function openApiDocument(
  routes: readonly Route[],
  serverUrl: string | undefined,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    if (route.internal === true) continue;
    const signed = route.security === 'USER_DATA' || route.security === 'TRADE';
    const params = signed
      ? [
          ...route.params,
          ...SIGNED_PARAMS,
          {
            name: 'signature',
            type: 'string',
            required: true,
            description:
              'Over the query string concatenated with the body: HMAC-SHA256 hex for an HMAC key, Ed25519 base64 (percent-encoded) for an Ed25519 key.',
          } satisfies ParamSpec,
        ]
      : route.params;
    const operation: Record<string, unknown> = {
      summary: route.summary,
      description: `Security: ${route.security}. Request weight: ${typeof route.weight === 'number' ? route.weight : 'depends on the parameters (see Binance)'}.${route.countsOrder === true ? ' Counts against the ORDERS limits.' : ''}`,
      operationId: `${route.method.toLowerCase()}${route.path.replace(/^\/api\/v3/, '').replace(/\/(\w)/g, (_m, c: string) => c.toUpperCase())}`,
      parameters: params.map((p) => ({
        name: p.name,
        in: 'query',
        required: p.required === true,
        description: p.description,
        schema: schemaOf(p),
      })),
      // Binance reads every parameter from the query string or, on POST, PUT and DELETE, from a
      // form body as well (the signature then covers the query string followed by the body).
      ...(route.method !== 'GET' &&
        params.length > 0 && {
          requestBody: {
            required: false,
            description: 'The same parameters as a form, instead of (or besides) the query string.',
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  properties: Object.fromEntries(params.map((p) => [p.name, schemaOf(p)])),
                },
              },
            },
          },
        }),
      responses: {
        '200': {
          description: 'Binance-shaped JSON.',
          content: { 'application/json': { schema: route.response ?? {} } },
        },
        '4XX': {
          description: 'Error: {code, msg} with Binance codes. 429 and 418 carry Retry-After.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      ...(route.security !== 'NONE' && { security: [{ apiKey: [] }] }),
    };
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bourse REST API',
      version: '1.0.0',
      description:
        "Binance Spot's /api/v3, served by Bourse. Signed endpoints take timestamp, recvWindow and signature over the query string concatenated with the body (HMAC-SHA256 hex with the API secret, or Ed25519 base64 with the private key of an Ed25519 key) and the API key in X-MBX-APIKEY. Engine rejections map to Binance codes: " +
        Object.entries(rejectionTable())
          .map(([reason, m]) => `${reason} -> ${m.code ?? '-2010/-2011'}`)
          .join(', '),
    },
    ...(serverUrl !== undefined && { servers: [{ url: serverUrl }] }),
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-MBX-APIKEY' } },
      schemas: {
        ...RESPONSE_SCHEMAS,
        Error: {
          type: 'object',
          required: ['code', 'msg'],
          properties: { code: { type: 'integer' }, msg: { type: 'string' }, data: { type: 'object' } },
        },
      },
    },
  };
}

function schemaOf(p: ParamSpec): Record<string, unknown> {
  switch (p.type) {
    case 'int':
      return {
        type: 'integer',
        ...(p.min !== undefined && { minimum: p.min }),
        ...(p.max !== undefined && { maximum: p.max }),
      };
    case 'decimal':
      return { type: 'string', pattern: '^[0-9]{1,20}(\\.[0-9]{1,20})?$' };
    case 'enum':
      return { type: 'string', enum: p.values };
    case 'boolean':
      return { type: 'boolean' };
    case 'symbol':
      return { type: 'string', pattern: '^[A-Z0-9-_.]{1,20}$' };
    case 'symbols':
      return { type: 'string', description: 'JSON array' };
    case 'string':
      return { type: 'string', ...(p.pattern !== undefined && { pattern: p.pattern.source }) };
  }
}

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bourse API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{margin-top:2rem;border-bottom:1px solid #ddd}code,.m{font-family:ui-monospace,monospace}
.op{margin:1rem 0;padding:.5rem 1rem;border-left:4px solid #4a7}.m{font-weight:bold;margin-right:.5rem}
table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}</style></head>
<body><h1>Bourse API</h1><p>Binance Spot compatible. Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<div id="doc">Loading…</div>
<script>
fetch('/openapi.json').then(r=>r.json()).then(doc=>{
  const esc=s=>String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'})[c]);
  let html='<p>'+esc(doc.info.description)+'</p>';
  for(const [path,ops] of Object.entries(doc.paths)){
    for(const [method,op] of Object.entries(ops)){
      html+='<div class="op"><span class="m">'+method.toUpperCase()+'</span><code>'+esc(path)+'</code><p>'+esc(op.summary)+' '+esc(op.description)+'</p>';
      if(op.parameters.length){html+='<table><tr><th>name</th><th>required</th><th>type</th><th>description</th></tr>';
        for(const p of op.parameters)html+='<tr><td><code>'+esc(p.name)+'</code></td><td>'+(p.required?'yes':'')+'</td><td>'+esc(p.schema.enum?p.schema.enum.join(' | '):p.schema.type)+'</td><td>'+esc(p.description)+'</td></tr>';
        html+='</table>';}
      html+='</div>';
    }
  }
  document.getElementById('doc').innerHTML=html;
});
</script></body></html>`;

/** /openapi.json and the docs page that renders it. */
export function docsRoutes(routes: readonly Route[]): Route[] {
  let cached: string | undefined;
  return [
    {
      method: 'GET',
      path: '/openapi.json',
      summary: 'OpenAPI 3.1 document.',
      security: 'NONE',
      weight: 1,
      params: [],
      internal: true,
      handle: () => {
        cached ??= JSON.stringify(openApiDocument(routes, undefined));
        return new RawBody(cached);
      },
    },
    {
      method: 'GET',
      path: '/docs',
      summary: 'Browsable API documentation.',
      security: 'NONE',
      weight: 1,
      params: [],
      internal: true,
      handle: () => new RawBody(DOCS_PAGE, 'text/html;charset=UTF-8'),
    },
  ];
}
