import { request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";

/** An answer whose body was read in full, within the size cap. */
export interface BoundedAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Empty for a redirect: its body is not read. */
  readonly body: string;
}

/** The answer is (or says it will be) larger than the cap; reading stopped there. */
export class AnswerTooLarge extends Error {
  override readonly name = "AnswerTooLarge";
  constructor(
    readonly limitBytes: number,
    /** The `Content-Length` the server announced, if it did. */
    readonly declaredBytes?: number,
  ) {
    super(`the answer is larger than ${limitBytes} bytes`);
  }
}

/**
 * One GET, read with bounds: at most `maxBytes` of body (announced or streamed, whichever shows first), until
 * `signal` aborts (connecting, waiting and reading alike), and no redirect followed: a 3xx comes back as it is,
 * so no credential ever goes to another address. `options` carries the TLS settings, agent and headers.
 */
export function boundedGet(url: URL, options: RequestOptions, limits: { readonly maxBytes: number; readonly signal: AbortSignal }): Promise<BoundedAnswer> {
  const send = url.protocol === "http:" ? httpRequest : httpsRequest;
  return new Promise((resolveOnce, rejectOnce) => {
    let settled = false;
    // Destroying the request after a verdict makes it emit errors of its own; the first outcome stands.
    const resolve = (answer: BoundedAnswer) => {
      if (settled) return;
      settled = true;
      resolveOnce(answer);
    };
    const reject = (error: unknown) => {
      if (settled) return;
      settled = true;
      rejectOnce(error);
    };
    const request = send(url, { ...options, method: "GET", signal: limits.signal }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        resolve({ status, headers: response.headers, body: "" });
        return void request.destroy();
      }
      const declared = Number(response.headers["content-length"]);
      if (Number.isFinite(declared) && declared > limits.maxBytes) {
        reject(new AnswerTooLarge(limits.maxBytes, declared));
        return void request.destroy();
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxBytes) {
          reject(new AnswerTooLarge(limits.maxBytes));
          request.destroy();
        } else chunks.push(chunk);
      });
      response.on("end", () => resolve({ status, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
      response.on("aborted", () => reject(Object.assign(new Error("the connection closed before the answer was complete"), { code: "ECONNRESET" })));
    });
    request.on("error", reject);
    request.end();
  });
}
