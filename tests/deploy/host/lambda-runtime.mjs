// A stand-in for the AWS Lambda Node runtime that Netlify runs a function on:
// it loads the function's own entry point from its unzipped bundle (bootstrap
// included) and serves one invocation at a time, sent by the deploy host over
// IPC. Response streaming follows Lambda's `awslambda.streamifyResponse` and
// `HttpResponseStream.from(stream, prelude)`, which the Netlify bootstrap uses.
// Plain JavaScript on purpose: Lambda runs the bundle with plain Node.
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const functionDir = process.argv[2];

class ResponseStream extends Writable {
  constructor(id) {
    super();
    this.id = id;
    this.headSent = false;
  }
  sendPrelude(prelude) {
    this.headSent = true;
    process.send({
      type: 'head',
      id: this.id,
      statusCode: prelude.statusCode ?? 200,
      headers: prelude.multiValueHeaders ?? prelude.headers ?? {},
    });
  }
  _write(chunk, _encoding, callback) {
    if (!this.headSent) this.sendPrelude({ statusCode: 200, headers: {} });
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (data.byteLength === 0) return callback();
    process.send({ type: 'chunk', id: this.id, data: new Uint8Array(data) }, (error) => callback(error ?? undefined));
  }
  _final(callback) {
    if (!this.headSent) this.sendPrelude({ statusCode: 200, headers: {} });
    process.send({ type: 'end', id: this.id }, () => callback());
  }
}

globalThis.awslambda = {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: {
    from(stream, prelude) {
      stream.sendPrelude(prelude);
      return stream;
    },
  },
};

const { handler } = await import(pathToFileURL(join(functionDir, '___netlify-entry-point.mjs')).href);

process.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  const { id, event, deadline } = message;
  const stream = new ResponseStream(id);
  const context = {
    awsRequestId: id,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    clientContext: { custom: {} },
    callbackWaitsForEmptyEventLoop: true,
  };
  try {
    await handler(event, stream, context);
    if (!stream.writableFinished)
      await new Promise((resolve) => (stream.writableEnded ? stream.once('finish', resolve) : stream.end(resolve)));
    process.send({ type: 'done', id });
  } catch (error) {
    process.send({
      type: 'failed',
      id,
      message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      code: typeof error?.code === 'string' ? error.code : null,
    });
  }
});

process.send({ type: 'ready' });
