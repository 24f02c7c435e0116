// Type tests of Dataset<S, T, L>: each builder moves the type the way it moves the
// run-time state, so get(), batches() and loader() are typed without casts.
import { describe, expectTypeOf, it } from 'vitest';
import {
  type AnnotatedHaps,
  type Batch,
  Dataset,
  type DatasetOutput,
  type Dense,
  dummyDataset,
  type GetOutput,
  type LengthKind,
  type Loader,
  type OutputLength,
  type Ragged,
  type RaggedAnnotatedHaps,
  type RaggedOneHot,
  type RaggedVariants,
  type SeqsKind,
  type SpliceBedRow,
  type SpliceInfo,
} from '../src/index.js';

type Bytes = Ragged<Uint8Array>;
type DenseBytes = Dense<Uint8Array>;
type Floats = Ragged<Float32Array>;
type DenseFloats = Dense<Float32Array>;

declare const withRef: Dataset<'haplotypes' | 'reference', boolean, 'ragged'>;
declare const noRef: Dataset<'variants' | null, boolean, 'ragged'>;

describe('Dataset.open', () => {
  it('with a reference: byte sequences, tracks unknown, ragged', () => {
    expectTypeOf(Dataset.open('ds.gvl', { reference: 'ref.fa' })).toEqualTypeOf<
      Promise<Dataset<'haplotypes' | 'reference', boolean, 'ragged'>>
    >();
    expectTypeOf(withRef.get()).toEqualTypeOf<Promise<Bytes | [Bytes, Floats]>>();
  });

  it('without a reference: variants or nothing', () => {
    expectTypeOf(Dataset.open('ds.gvl')).toEqualTypeOf<
      Promise<Dataset<'variants' | null, boolean, 'ragged'>>
    >();
    expectTypeOf(Dataset.open('ds.gvl', { jitter: 0 })).toEqualTypeOf<
      Promise<Dataset<'variants' | null, boolean, 'ragged'>>
    >();
    expectTypeOf(noRef.get()).toEqualTypeOf<
      Promise<RaggedVariants | [RaggedVariants, Floats] | Floats>
    >();
  });

  it('a reference that may be undefined: every output is possible', () => {
    const reference = process.env.REF;
    expectTypeOf(Dataset.open('ds.gvl', { reference })).toEqualTypeOf<Promise<Dataset>>();
    expectTypeOf<Dataset>().toEqualTypeOf<Dataset<SeqsKind | null, boolean, LengthKind>>();
  });
});

describe('builders', () => {
  it('withTracks(false).withLen(2048).get() is Dense<Uint8Array>', () => {
    const ds = withRef.withTracks(false).withLen(2048);
    expectTypeOf(ds).toEqualTypeOf<Dataset<'haplotypes' | 'reference', false, 'dense'>>();
    expectTypeOf(ds.get([0, 1, 2], 5)).toEqualTypeOf<Promise<DenseBytes>>();
    expectTypeOf(withRef.withTracks([]).get()).toEqualTypeOf<Promise<Bytes>>();
  });

  it("withSeqs('variants') is RaggedVariants (with tracks unknown: or with tracks)", () => {
    expectTypeOf(withRef.withTracks(false).withSeqs('variants').get(0, 0)).toEqualTypeOf<
      Promise<RaggedVariants>
    >();
    expectTypeOf(withRef.withSeqs('variants').get(0, 0)).toEqualTypeOf<
      Promise<RaggedVariants | [RaggedVariants, Floats]>
    >();
    expectTypeOf(withRef.withSeqs('reference').seqsKind).toEqualTypeOf<'reference'>();
  });

  it('named tracks are active: [sequences, tracks]; tracks only with withSeqs(null)', () => {
    expectTypeOf(withRef.withSeqs('haplotypes').withTracks('coverage').get()).toEqualTypeOf<
      Promise<[Bytes, Floats]>
    >();
    expectTypeOf(
      withRef.withSeqs('haplotypes').withTracks(['a', 'b']).withLen('variable').get(),
    ).toEqualTypeOf<Promise<[DenseBytes, DenseFloats]>>();
    expectTypeOf(withRef.withSeqs(null).withTracks('coverage').withLen(100).get()).toEqualTypeOf<
      Promise<DenseFloats>
    >();
  });

  it('a list or true may be empty at run time: tracks stay unknown', () => {
    const names: string[] = [];
    expectTypeOf(withRef.withSeqs('haplotypes').withTracks(names)).toEqualTypeOf<
      Dataset<'haplotypes', boolean, 'ragged'>
    >();
    expectTypeOf(withRef.withTracks(true)).toEqualTypeOf<typeof withRef>();
    expectTypeOf(withRef.withTracks()).toEqualTypeOf<typeof withRef>();
  });

  it('a length not known statically gives both length kinds, never mixed in a pair', () => {
    const len = 10 as OutputLength;
    const ds = withRef.withSeqs('haplotypes').withTracks('t').withLen(len);
    expectTypeOf(ds).toEqualTypeOf<Dataset<'haplotypes', true, LengthKind>>();
    expectTypeOf(ds.get()).toEqualTypeOf<Promise<[Bytes, Floats] | [DenseBytes, DenseFloats]>>();
    expectTypeOf(withRef.withLen(2048).withLen('ragged')).toEqualTypeOf<typeof withRef>();
  });

  it("withSeqs('annotated') is RaggedAnnotatedHaps, or AnnotatedHaps once dense", async () => {
    const ann = withRef.withTracks(false).withSeqs('annotated');
    expectTypeOf(ann).toEqualTypeOf<Dataset<'annotated', false, 'ragged'>>();
    expectTypeOf(ann.get(0, 0)).toEqualTypeOf<Promise<RaggedAnnotatedHaps>>();
    expectTypeOf(ann.withLen(2048).get()).toEqualTypeOf<Promise<AnnotatedHaps>>();
    expectTypeOf(ann.withLen('variable').get()).toEqualTypeOf<Promise<AnnotatedHaps>>();
    expectTypeOf<RaggedAnnotatedHaps['varIdxs']>().toEqualTypeOf<Ragged<Int32Array>>();
    expectTypeOf<AnnotatedHaps['refCoords']>().toEqualTypeOf<Dense<Int32Array>>();
    expectTypeOf<AnnotatedHaps['haps']>().toEqualTypeOf<DenseBytes>();
    for await (const batch of ann.loader())
      expectTypeOf(batch.data).toEqualTypeOf<RaggedAnnotatedHaps>();
    // @ts-expect-error annotated haplotypes are not byte arrays
    (await ann.get()).data;
  });

  it('withSettings, subsetTo and toFullDataset keep the type', () => {
    const ds = withRef.withTracks(false).withLen(16);
    expectTypeOf(ds.withSettings({ jitter: 0 })).toEqualTypeOf<typeof ds>();
    expectTypeOf(ds.subsetTo({ samples: [0] })).toEqualTypeOf<typeof ds>();
    expectTypeOf(ds.toFullDataset()).toEqualTypeOf<typeof ds>();
  });

  it('a Dense output has no offsets; a tuple must be destructured', async () => {
    const dense = await withRef.withTracks(false).withLen(8).get();
    // @ts-expect-error Dense has no offsets
    dense.offsets;
    const [seqs, tracks] = await withRef.withSeqs('haplotypes').withTracks('t').get();
    expectTypeOf(seqs.offsets).toEqualTypeOf<BigInt64Array>();
    expectTypeOf(tracks.data).toEqualTypeOf<Float32Array>();
  });
});

describe('batches and loaders carry the output type', () => {
  it('Batch<O> and Loader<O>', async () => {
    const ds = withRef.withTracks(false).withLen(2048);
    expectTypeOf(ds.loader({ batchSize: 64 })).toEqualTypeOf<Loader<DenseBytes>>();
    for await (const batch of ds.loader()) expectTypeOf(batch.data).toEqualTypeOf<DenseBytes>();
    for await (const batch of ds.batches()) expectTypeOf(batch).toEqualTypeOf<Batch<DenseBytes>>();
  });

  it('the untyped defaults stay within GetOutput', () => {
    expectTypeOf<DatasetOutput<SeqsKind | null, boolean, LengthKind>>().toExtend<GetOutput>();
    expectTypeOf<Batch>().toEqualTypeOf<Batch<GetOutput>>();
    expectTypeOf<Loader>().toEqualTypeOf<Loader<GetOutput>>();
    expectTypeOf<DatasetOutput<null, false, 'ragged'>>().toBeNever();
  });
});

describe('spliced reads and the dummy dataset', () => {
  it('spliceInfo keeps the dataset type: transcripts give the same output kinds', () => {
    const sp = withRef.withTracks(false).withSettings({ spliceInfo: ['transcript', 'exon'] });
    expectTypeOf(sp).toEqualTypeOf<Dataset<'haplotypes' | 'reference', false, 'ragged'>>();
    expectTypeOf(sp.getSpliceBed()).toEqualTypeOf<SpliceBedRow[]>();
    expectTypeOf<SpliceInfo>().toEqualTypeOf<string | readonly [id: string, order: string]>();
    // @ts-expect-error a number is not a column name
    withRef.withSettings({ spliceInfo: 3 });
  });
  it('dummyDataset opens with a reference: byte sequences, tracks unknown, ragged', () => {
    expectTypeOf(dummyDataset({ splice: true })).toEqualTypeOf<
      Promise<Dataset<'haplotypes' | 'reference', boolean, 'ragged'>>
    >();
  });
});

describe('token and one-hot settings move the encoding type', () => {
  const seqs = withRef.withTracks(false);
  type Tokens = Ragged<Uint8Array> | Ragged<Int32Array>;
  type DenseTokens = Dense<Uint8Array> | Dense<Int32Array>;

  it('tokenAlphabet + unknownToken: uint8 or int32 tokens, ragged or dense', () => {
    const tok = seqs.withSettings({ tokenAlphabet: 'ACGT', unknownToken: 4 });
    expectTypeOf(tok).toEqualTypeOf<
      Dataset<'haplotypes' | 'reference', false, 'ragged', 'tokens'>
    >();
    expectTypeOf(tok.get()).toEqualTypeOf<Promise<Tokens>>();
    expectTypeOf(tok.withLen(2048).get()).toEqualTypeOf<Promise<DenseTokens>>();
    // Later builders keep the encoding; a patch without token settings too.
    expectTypeOf(tok.withSettings({ jitter: 0 }).withLen('variable').get()).toEqualTypeOf<
      Promise<DenseTokens>
    >();
    // Variants keep their ASCII alleles.
    expectTypeOf(tok.withSeqs('variants').get()).toEqualTypeOf<Promise<RaggedVariants>>();
  });

  it('oneHot: true: float32 one-hot, ragged in bases or dense [..., L, A]', async () => {
    const oh = seqs.withSettings({ tokenAlphabet: 'ACGT', oneHot: true });
    expectTypeOf(oh.get()).toEqualTypeOf<Promise<RaggedOneHot>>();
    expectTypeOf(oh.withLen(2048).get()).toEqualTypeOf<Promise<DenseFloats>>();
    // With tracks: [one-hot, tracks], both float32 (mutually assignable both ways).
    type WithTracks = Awaited<ReturnType<Dataset<'haplotypes', true, 'dense', 'oneHot'>['get']>>;
    expectTypeOf(oh.withSeqs('haplotypes').withTracks('signal').withLen(2048)).toEqualTypeOf<
      Dataset<'haplotypes', true, 'dense', 'oneHot'>
    >();
    expectTypeOf<WithTracks>().toExtend<[DenseFloats, DenseFloats]>();
    expectTypeOf<[DenseFloats, DenseFloats]>().toExtend<WithTracks>();
    for await (const b of oh.withLen(2048).loader())
      expectTypeOf(b.data).toEqualTypeOf<DenseFloats>();
    // oneHot: false goes back to tokens; tokenAlphabet: null back to ASCII.
    expectTypeOf(oh.withSettings({ oneHot: false }).get()).toEqualTypeOf<Promise<Tokens>>();
    expectTypeOf(oh.withSettings({ tokenAlphabet: null }).get()).toEqualTypeOf<Promise<Bytes>>();
  });

  it('the encoded outputs stay within GetOutput', () => {
    expectTypeOf<
      DatasetOutput<'haplotypes', boolean, LengthKind, 'tokens'>
    >().toExtend<GetOutput>();
    expectTypeOf<DatasetOutput<'reference', boolean, LengthKind, 'oneHot'>>().toExtend<GetOutput>();
  });
});
