import { Field, Int32, List, Schema, Uint8, Utf8, type DataType } from 'apache-arrow';

/**
 * Which optional shard columns a dataset carries (docs/shard-format.md#columns). `input_ids` and `doc_lengths`
 * are always present; the others are present exactly when their flag is set.
 */
export interface ColumnSet {
  /** `position_ids: list<int32>`: explicit RoPE positions (PoSE, RandPos, LongRecipe). */
  positionIds: boolean;
  /** `loss_mask: list<uint8>`: 1 = prediction target, aligned with `input_ids`. */
  lossMask: boolean;
  /** `doc_sources: list<utf8>`: source name per document piece, parallel to `doc_lengths`. */
  docSources: boolean;
}

/** The shard column names, in schema order. */
export type ColumnName = 'input_ids' | 'doc_lengths' | 'position_ids' | 'loss_mask' | 'doc_sources';

/** The element type of a shard column, as named by HF `datasets` (`Value` dtype). */
export type ElementDtype = 'int32' | 'uint8' | 'string';

/** One column of the shard layout: its name, its element dtype and whether `cols` includes it. */
interface ColumnSpec {
  name: ColumnName;
  dtype: ElementDtype;
  present: (cols: ColumnSet) => boolean;
}

/** The full layout in schema order (docs/shard-format.md#columns); the single place the order is decided. */
const LAYOUT: readonly ColumnSpec[] = [
  { name: 'input_ids', dtype: 'int32', present: () => true },
  { name: 'doc_lengths', dtype: 'int32', present: () => true },
  { name: 'position_ids', dtype: 'int32', present: (c) => c.positionIds },
  { name: 'loss_mask', dtype: 'uint8', present: (c) => c.lossMask },
  { name: 'doc_sources', dtype: 'string', present: (c) => c.docSources },
];

/** The columns `cols` selects, in schema order, with their element dtype. */
export function columnLayout(cols: ColumnSet): Array<{ name: ColumnName; dtype: ElementDtype }> {
  return LAYOUT.filter((c) => c.present(cols)).map(({ name, dtype }) => ({ name, dtype }));
}

/** The column names `cols` selects, in schema order (what the manifest's `columns` lists). */
export function columnNames(cols: ColumnSet): ColumnName[] {
  return columnLayout(cols).map((c) => c.name);
}

/** The inverse of {@link columnNames}: which optional columns a list of column names holds. */
export function columnSetFromNames(names: readonly string[]): ColumnSet {
  return {
    positionIds: names.includes('position_ids'),
    lossMask: names.includes('loss_mask'),
    docSources: names.includes('doc_sources'),
  };
}

/** A feature of HF `datasets` as written in `dataset_info.json`: a `Sequence` of a `Value`. */
export interface HfSequenceFeature {
  feature: { dtype: ElementDtype; _type: 'Value' };
  _type: 'Sequence';
}

/**
 * The HF `datasets` features object for `cols` (docs/shard-format.md#the-hugging-face-layout-statejson-dataset_infojson), in schema order, e.g.
 * `{"input_ids": {"feature": {"dtype": "int32", "_type": "Value"}, "_type": "Sequence"}, …}`.
 * `"Sequence"` (not the ≥ 4.0 `"List"`) so that every datasets version since 2.x reads it.
 */
export function hfFeatures(cols: ColumnSet): Record<string, HfSequenceFeature> {
  const features: Record<string, HfSequenceFeature> = {};
  for (const { name, dtype } of columnLayout(cols)) {
    features[name] = { feature: { dtype, _type: 'Value' }, _type: 'Sequence' };
  }
  return features;
}

/** The Arrow element type of a dtype: plain utf8 (never dictionary-encoded) for strings. */
function arrowType(dtype: ElementDtype): DataType {
  switch (dtype) {
    case 'int32':
      return new Int32();
    case 'uint8':
      return new Uint8();
    case 'string':
      return new Utf8();
  }
}

/**
 * The Arrow schema of a shard (docs/shard-format.md#columns and #the-hugging-face-layout-statejson-dataset_infojson): one `list<T>` field per column in
 * {@link columnNames} order, every field and every list child (named `item`) nullable, as pyarrow
 * and HF `datasets` write them, and the `huggingface` schema metadata
 * `{"info":{"features":…}}` so that `Dataset.from_file` recovers the features without
 * `dataset_info.json`. The schema is a pure function of `cols`, so identical inputs give identical
 * bytes.
 */
export function shardSchema(cols: ColumnSet): Schema {
  const fields = columnLayout(cols).map(
    ({ name, dtype }) => new Field(name, new List(new Field('item', arrowType(dtype), true)), true),
  );
  const metadata = new Map([['huggingface', JSON.stringify({ info: { features: hfFeatures(cols) } })]]);
  return new Schema(fields, metadata);
}
