export { findUnknownFields, unknownFieldMessage, duplicateFieldMessage, strictDecodingError } from './unknown-fields.js';
export { findDuplicateFields } from './duplicate-fields.js';
export { openapiV2Document, openapiV3Paths, openapiV3GroupVersion, groupVersionKey, type ServedDocument } from './documents.js';
export { typeDef, typeForKind, jsonFields, elementOf, type TypeDef, type FieldDef, type TypeRef, type SpecialType, type GroupVersionKind } from './model.js';
