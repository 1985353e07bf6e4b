/**
 * The one error type services throw. `message` is safe to show to a client; `cause` is logged only.
 */
export class AppError extends Error {
  readonly status: number;
  constructor(status: number, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "AppError";
    this.status = status;
  }
}

export const badRequest = (message: string) => new AppError(400, message);
export const unauthorized = (message = "The access token is invalid") => new AppError(401, message);
export const forbidden = (message = "This action is outside the authorized scopes") =>
  new AppError(403, message);
export const notFound = (message = "Record not found") => new AppError(404, message);
export const unprocessable = (message: string) => new AppError(422, message);
