export { openapiV2Protobuf, encodeOpenApiV2, OPENAPI_V2_PROTOBUF_CONTENT_TYPE } from './openapi-v2.js';
export { decodeProtobufObject, encodeProtobufObject, hasProtobufMagic, PROTOBUF_CONTENT_TYPE } from './codec.js';
