import { AppError } from "../../lib/errors.ts";

/** The error codes of RFC 6749 §4.1.2.1 and §5.2 (and RFC 7009) that Tern answers with. */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_response_type"
  | "invalid_scope"
  | "access_denied";

/**
 * An AppError that also carries an RFC 6749 error code. The OAuth endpoints answer it as
 * `{error: code, error_description: message}`; anywhere else the shared onError shows it as a
 * plain AppError (`{error: message}`), so it stays "the one error type" for the rest of the app.
 */
export class OAuthError extends AppError {
  readonly code: OAuthErrorCode;
  constructor(status: number, code: OAuthErrorCode, message: string) {
    super(status, message);
    this.name = "OAuthError";
    this.code = code;
  }
}

export const invalidRequest = (message: string) => new OAuthError(400, "invalid_request", message);
export const invalidGrant = (
  message = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
) => new OAuthError(400, "invalid_grant", message);
export const invalidClient = (message = "Client authentication failed") =>
  new OAuthError(401, "invalid_client", message);
