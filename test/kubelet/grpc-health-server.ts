// A tiny grpc.health.v1 server for probe tests, on 127.0.0.1 (a free port): `statuses` maps a service
// name to its ServingStatus (1 SERVING, 2 NOT_SERVING) and may change while it runs; an unlisted name
// answers NOT_FOUND, as grpc-go's health server does. `withHealth: false` serves no service at all.
import * as grpc from '@grpc/grpc-js';

const raw = (b: Buffer): Buffer => b;
const CHECK = { path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw };

export interface HealthServer {
  port: number;
  stop(): void;
}

export async function startHealthServer(statuses: Map<string, number>, withHealth = true): Promise<HealthServer> {
  const server = new grpc.Server();
  if (withHealth) {
    server.addService({ Check: CHECK }, {
      Check: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const req = call.request;
        const status = statuses.get(req.length ? req.subarray(2, 2 + req[1]!).toString() : '');
        if (status === undefined) return cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        cb(null, Buffer.from([0x08, status]));
      },
    });
  }
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { port, stop: () => server.forceShutdown() };
}
