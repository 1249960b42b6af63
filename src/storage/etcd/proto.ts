// The part of etcd's v3 gRPC API (api/etcdserverpb/rpc.proto, api/mvccpb/kv.proto) the store uses,
// as a protobuf.js JSON descriptor: field names and numbers are etcd's wire contract. Kept in code
// rather than a .proto file so the bundled CLI needs no data files.
import * as protoLoader from '@grpc/proto-loader';

type Fields = Record<string, { type: string; id: number; rule?: 'repeated' }>;

const header = { type: 'ResponseHeader', id: 1 };

const etcdserverpb = {
  KV: {
    methods: {
      Range: { requestType: 'RangeRequest', responseType: 'RangeResponse' },
      Txn: { requestType: 'TxnRequest', responseType: 'TxnResponse' },
      Compact: { requestType: 'CompactionRequest', responseType: 'CompactionResponse' },
    },
  },
  Watch: {
    methods: {
      Watch: { requestType: 'WatchRequest', responseType: 'WatchResponse', requestStream: true, responseStream: true },
    },
  },
  Maintenance: {
    methods: {
      Status: { requestType: 'StatusRequest', responseType: 'StatusResponse' },
    },
  },
  StatusRequest: { fields: {} },
  StatusResponse: { fields: { header, version: { type: 'string', id: 2 } } satisfies Fields },
  ResponseHeader: {
    fields: { cluster_id: { type: 'uint64', id: 1 }, member_id: { type: 'uint64', id: 2 }, revision: { type: 'int64', id: 3 }, raft_term: { type: 'uint64', id: 4 } } satisfies Fields,
  },
  RangeRequest: {
    fields: {
      key: { type: 'bytes', id: 1 },
      range_end: { type: 'bytes', id: 2 },
      limit: { type: 'int64', id: 3 },
      revision: { type: 'int64', id: 4 },
      serializable: { type: 'bool', id: 7 },
      keys_only: { type: 'bool', id: 8 },
      count_only: { type: 'bool', id: 9 },
    } satisfies Fields,
  },
  RangeResponse: {
    fields: { header, kvs: { type: 'mvccpb.KeyValue', id: 2, rule: 'repeated' }, more: { type: 'bool', id: 3 }, count: { type: 'int64', id: 4 } } satisfies Fields,
  },
  PutRequest: {
    fields: { key: { type: 'bytes', id: 1 }, value: { type: 'bytes', id: 2 }, lease: { type: 'int64', id: 3 }, prev_kv: { type: 'bool', id: 4 } } satisfies Fields,
  },
  PutResponse: { fields: { header, prev_kv: { type: 'mvccpb.KeyValue', id: 2 } } satisfies Fields },
  DeleteRangeRequest: {
    fields: { key: { type: 'bytes', id: 1 }, range_end: { type: 'bytes', id: 2 }, prev_kv: { type: 'bool', id: 3 } } satisfies Fields,
  },
  DeleteRangeResponse: {
    fields: { header, deleted: { type: 'int64', id: 2 }, prev_kvs: { type: 'mvccpb.KeyValue', id: 3, rule: 'repeated' } } satisfies Fields,
  },
  RequestOp: {
    oneofs: { request: { oneof: ['request_range', 'request_put', 'request_delete_range'] } },
    fields: {
      request_range: { type: 'RangeRequest', id: 1 },
      request_put: { type: 'PutRequest', id: 2 },
      request_delete_range: { type: 'DeleteRangeRequest', id: 3 },
    } satisfies Fields,
  },
  ResponseOp: {
    oneofs: { response: { oneof: ['response_range', 'response_put', 'response_delete_range'] } },
    fields: {
      response_range: { type: 'RangeResponse', id: 1 },
      response_put: { type: 'PutResponse', id: 2 },
      response_delete_range: { type: 'DeleteRangeResponse', id: 3 },
    } satisfies Fields,
  },
  Compare: {
    nested: {
      CompareResult: { values: { EQUAL: 0, GREATER: 1, LESS: 2, NOT_EQUAL: 3 } },
      CompareTarget: { values: { VERSION: 0, CREATE: 1, MOD: 2, VALUE: 3, LEASE: 4 } },
    },
    oneofs: { target_union: { oneof: ['version', 'create_revision', 'mod_revision', 'value'] } },
    fields: {
      result: { type: 'CompareResult', id: 1 },
      target: { type: 'CompareTarget', id: 2 },
      key: { type: 'bytes', id: 3 },
      version: { type: 'int64', id: 4 },
      create_revision: { type: 'int64', id: 5 },
      mod_revision: { type: 'int64', id: 6 },
      value: { type: 'bytes', id: 7 },
    } satisfies Fields,
  },
  TxnRequest: {
    fields: {
      compare: { type: 'Compare', id: 1, rule: 'repeated' },
      success: { type: 'RequestOp', id: 2, rule: 'repeated' },
      failure: { type: 'RequestOp', id: 3, rule: 'repeated' },
    } satisfies Fields,
  },
  TxnResponse: {
    fields: { header, succeeded: { type: 'bool', id: 2 }, responses: { type: 'ResponseOp', id: 3, rule: 'repeated' } } satisfies Fields,
  },
  CompactionRequest: { fields: { revision: { type: 'int64', id: 1 }, physical: { type: 'bool', id: 2 } } satisfies Fields },
  CompactionResponse: { fields: { header } satisfies Fields },
  WatchRequest: {
    oneofs: { request_union: { oneof: ['create_request', 'cancel_request', 'progress_request'] } },
    fields: {
      create_request: { type: 'WatchCreateRequest', id: 1 },
      cancel_request: { type: 'WatchCancelRequest', id: 2 },
      progress_request: { type: 'WatchProgressRequest', id: 3 },
    } satisfies Fields,
  },
  WatchCreateRequest: {
    fields: {
      key: { type: 'bytes', id: 1 },
      range_end: { type: 'bytes', id: 2 },
      start_revision: { type: 'int64', id: 3 },
      progress_notify: { type: 'bool', id: 4 },
      prev_kv: { type: 'bool', id: 6 },
      watch_id: { type: 'int64', id: 7 },
    } satisfies Fields,
  },
  WatchCancelRequest: { fields: { watch_id: { type: 'int64', id: 1 } } satisfies Fields },
  WatchProgressRequest: { fields: {} },
  WatchResponse: {
    fields: {
      header,
      watch_id: { type: 'int64', id: 2 },
      created: { type: 'bool', id: 3 },
      canceled: { type: 'bool', id: 4 },
      compact_revision: { type: 'int64', id: 5 },
      cancel_reason: { type: 'string', id: 6 },
      events: { type: 'mvccpb.Event', id: 11, rule: 'repeated' },
    } satisfies Fields,
  },
};

const mvccpb = {
  KeyValue: {
    fields: {
      key: { type: 'bytes', id: 1 },
      create_revision: { type: 'int64', id: 2 },
      mod_revision: { type: 'int64', id: 3 },
      version: { type: 'int64', id: 4 },
      value: { type: 'bytes', id: 5 },
      lease: { type: 'int64', id: 6 },
    } satisfies Fields,
  },
  Event: {
    nested: { EventType: { values: { PUT: 0, DELETE: 1 } } },
    fields: { type: { type: 'EventType', id: 1 }, kv: { type: 'KeyValue', id: 2 }, prev_kv: { type: 'KeyValue', id: 3 } } satisfies Fields,
  },
};

/** Loaded with etcd's snake_case names, int64 as JS numbers, enums as their names, bytes as Buffers. */
export const etcdPackageDefinition = protoLoader.fromJSON(
  { nested: { etcdserverpb: { nested: etcdserverpb }, mvccpb: { nested: mvccpb } } } as unknown as Parameters<typeof protoLoader.fromJSON>[0],
  { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true },
);

// The message shapes as the loader produces and accepts them.

export interface EtcdKeyValue {
  key: Buffer;
  create_revision: number;
  mod_revision: number;
  version: number;
  value: Buffer;
}

export interface ResponseHeader {
  revision: number;
}

export interface RangeRequest {
  key: Buffer;
  range_end?: Buffer;
  limit?: number;
  revision?: number;
  count_only?: boolean;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: EtcdKeyValue[];
  more: boolean;
  count: number;
}

export interface PutRequest {
  key: Buffer;
  value: Buffer;
  prev_kv?: boolean;
}

export interface DeleteRangeRequest {
  key: Buffer;
  prev_kv?: boolean;
}

export type RequestOp = { request_range: RangeRequest } | { request_put: PutRequest } | { request_delete_range: DeleteRangeRequest };

export interface ResponseOp {
  response_range?: RangeResponse;
  response_put?: { header: ResponseHeader; prev_kv?: EtcdKeyValue | null };
  response_delete_range?: { header: ResponseHeader; deleted: number; prev_kvs: EtcdKeyValue[] };
}

export interface Compare {
  result: 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
  target: 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';
  key: Buffer;
  version?: number;
  mod_revision?: number;
}

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface StatusResponse {
  header: ResponseHeader;
  /** The member's etcd version, e.g. "3.4.23". */
  version: string;
}

export interface WatchRequest {
  create_request?: {
    key: Buffer;
    range_end: Buffer;
    start_revision: number;
    progress_notify: boolean;
    prev_kv: boolean;
  };
  progress_request?: Record<string, never>;
}

export interface WatchResponse {
  header: ResponseHeader;
  watch_id: number;
  created: boolean;
  canceled: boolean;
  compact_revision: number;
  cancel_reason: string;
  events: Array<{ type: 'PUT' | 'DELETE'; kv: EtcdKeyValue; prev_kv: EtcdKeyValue | null }>;
}
