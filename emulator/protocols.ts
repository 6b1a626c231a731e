/**
 * The two wire protocols on the one endpoint: AWS JSON 1.1 (License Manager, KMS; the
 * operation is in `x-amz-target`) and AWS Query (STS; form-encoded `Action=...`, XML answers).
 * Each knows how AWS writes its answers and errors, including authentication failures.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, serializationError } from './errors.js';
import type { ServiceDefinition } from './service.js';
import type { AuthFailureKind } from './sigv4.js';
import { STS_NAMESPACE } from './sts.js';
import { toXml, xmlDocument, type XmlNode } from './xml.js';

export interface Protocol {
  writeResult(res: ServerResponse, operation: string, result: unknown, requestId: string): void;
  writeError(res: ServerResponse, error: AwsError, requestId: string): void;
  authError(kind: AuthFailureKind, message: string): AwsError;
}

export interface Call {
  protocol: Protocol;
  service: ServiceDefinition;
  operation: string;
  /** Parsed only after authentication, so an unsigned caller learns nothing about the body. */
  input(): unknown;
}

function send(res: ServerResponse, status: number, contentType: string, body: string, requestId: string, extra: Record<string, string> = {}): void {
  const bytes = Buffer.from(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': bytes.length, 'x-amzn-RequestId': requestId, ...extra });
  res.end(bytes);
}

const JSON_AUTH_ERRORS: Record<AuthFailureKind, [string, number]> = {
  missing: ['MissingAuthenticationTokenException', 400],
  incomplete: ['IncompleteSignatureException', 400],
  'unknown-key': ['UnrecognizedClientException', 400],
  'bad-signature': ['InvalidSignatureException', 400],
  skew: ['InvalidSignatureException', 400],
  'expired-token': ['ExpiredTokenException', 400],
};

const QUERY_AUTH_ERRORS: Record<AuthFailureKind, [string, number]> = {
  missing: ['MissingAuthenticationToken', 403],
  incomplete: ['IncompleteSignature', 400],
  'unknown-key': ['InvalidClientTokenId', 403],
  'bad-signature': ['SignatureDoesNotMatch', 403],
  skew: ['SignatureDoesNotMatch', 403],
  'expired-token': ['ExpiredToken', 400],
};

export const jsonProtocol: Protocol = {
  writeResult(res, _operation, result, requestId) {
    send(res, 200, 'application/x-amz-json-1.1', JSON.stringify(result ?? {}), requestId);
  },
  writeError(res, error, requestId) {
    send(res, error.status, 'application/x-amz-json-1.1', JSON.stringify({ __type: error.code, message: error.message }), requestId, {
      'x-amzn-ErrorType': error.code,
    });
  },
  authError(kind, message) {
    const [code, status] = JSON_AUTH_ERRORS[kind];
    return new AwsError(code, message, status);
  },
};

export const queryProtocol: Protocol = {
  writeResult(res, operation, result, requestId) {
    const body = `${toXml(result as XmlNode)}${toXml({ ResponseMetadata: { RequestId: requestId } })}`;
    send(res, 200, 'text/xml', `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${STS_NAMESPACE}">${body}</${operation}Response>\n`, requestId);
  },
  writeError(res, error, requestId) {
    const doc = xmlDocument('ErrorResponse', STS_NAMESPACE, { Error: { Type: error.fault, Code: error.code, Message: error.message }, RequestId: requestId });
    send(res, error.status, 'text/xml', doc, requestId);
  },
  authError(kind, message) {
    const [code, status] = QUERY_AUTH_ERRORS[kind];
    return new AwsError(code, message, status);
  },
};

function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw serializationError('Start of structure or map found where not expected, or the request body is not valid JSON');
  }
}

/** Resolves a request to a service operation, or throws an AwsError (with the protocol to write it in). */
export function route(
  req: IncomingMessage,
  body: Buffer,
  services: { json: Record<string, ServiceDefinition>; query: ServiceDefinition },
): Call | { protocol: Protocol; error: AwsError } {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix = '', operation = ''] = target.split('.');
    const service = services.json[prefix];
    if (!service || !Object.hasOwn(service.operations, operation)) {
      return { protocol: jsonProtocol, error: new AwsError('UnknownOperationException', `Unknown operation ${target}`) };
    }
    return { protocol: jsonProtocol, service, operation, input: () => parseJsonBody(body) };
  }
  const url = new URL(req.url ?? '/', 'http://emulator');
  const params = Object.fromEntries(url.searchParams);
  if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  }
  const { Action: action, Version: _version, ...input } = params;
  if (action === undefined) {
    return { protocol: jsonProtocol, error: new AwsError('UnknownOperationException', 'Requests need an x-amz-target header (JSON) or an Action parameter (Query)') };
  }
  if (!Object.hasOwn(services.query.operations, action)) {
    return { protocol: queryProtocol, error: new AwsError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`) };
  }
  return { protocol: queryProtocol, service: services.query, operation: action, input: () => input };
}
