export { idSchema, parseId, isId, InvalidIdError, ID_PATTERN, type Id } from './ids.js';
export { STORE_NAMES, STORE_IDS, STORE_LIMITS, openStore, type StoreId } from './stores.js';
export { keys, runOfKey, type BlobRef } from './keys.js';
export {
  defineDocument,
  encodeDocument,
  decodeDocument,
  openDocument,
  sealPayload,
  sha256Hex,
  GZIP_THRESHOLD_BYTES,
  type DocumentType,
  type DocumentMeta,
} from './codec.js';
export { CorruptBlobError, BlobTooLargeError, WriteConflictError, BlobWriteError } from './errors.js';
export { readJSON, writeJSON, updateJSON, deleteBlob, UNCHANGED, type StoredDocument, type DamagedDocument } from './documents.js';
export { updateConfirmed, type ConfirmedUpdate } from './confirmed.js';
export {
  putBinary,
  getBinary,
  getBinaryStream,
  getMetadata,
  getMetadataByKey,
  listKeyPages,
  listEtags,
  listDirectories,
  deleteKey,
  type BlobMetadata,
} from './binary.js';
export { listWithSizes, type ListedBlob } from './census.js';
export { importMarkerDoc, importInProgress } from './import-marker.js';
export {
  putVideo,
  openVideo,
  getVideo,
  deleteVideo,
  videoIsStored,
  isSupersededPiece,
  PIECE_BYTES,
  pieceIndexSchema,
  type PieceIndex,
  type StoredVideo,
  type PutVideoOptions,
} from './chunked.js';
