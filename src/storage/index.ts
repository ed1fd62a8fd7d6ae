export { idSchema, parseId, isId, type Id } from './ids.js';
export { STORE_NAMES, STORE_IDS, openStore, type StoreId } from './stores.js';
export { keys, runOfKey, type BlobRef } from './keys.js';
export {
  defineDocument,
  encodeDocument,
  decodeDocument,
  openDocument,
  sha256Hex,
  type DocumentType,
  type DocumentMeta,
} from './codec.js';
export { CorruptBlobError, BlobTooLargeError } from './errors.js';
export { readJSON, writeJSON, updateJSON, deleteBlob, UNCHANGED, type DamagedDocument } from './documents.js';
export { updateConfirmed } from './confirmed.js';
export {
  putBinary,
  getBinary,
  getMetadata,
  getMetadataByKey,
  listKeyPages,
  listEtags,
  listDirectories,
  deleteKey,
} from './binary.js';
export { listWithSizes } from './census.js';
export { importMarkerDoc, importInProgress } from './import-marker.js';
export {
  putVideo,
  openVideo,
  getVideo,
  deleteVideo,
  videoIsStored,
  isSupersededPiece,
  PIECE_BYTES,
} from './chunked.js';
