// sns-validator ships no types: the part of its API these tests use.
declare module "sns-validator" {
  export default class MessageValidator {
    constructor(hostPattern?: RegExp, encoding?: string);
    validate(
      message: string | Record<string, unknown>,
      callback: (error: Error | null, message?: Record<string, unknown>) => void,
    ): void;
  }
}
