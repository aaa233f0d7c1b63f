#!/usr/bin/env bash
# Trains the bundled model for the v2 benchmark, or resumes whichever stage was interrupted.
# The v1 model (models/bundled_v1, scripts/train_bundled_v1.sh: 4 h from scratch on the v1
# families) already copies by key, does the tagged column arithmetic and stops at `i/n`
# headers; the v2 families reuse those steps in longer traces, so fine-tuning it is far cheaper
# than training from scratch (~1,200 tokens/s on 2 cores at these lengths).
#   1. extend (models/bundled/extend.json): 450 steps from the v1 model on the four v2
#      families, knobs drawn around the benchmark's and up to twice its lengths (sequences to
#      7168 tokens, positions to 8192), shorter problems first. 1 h 49 min on the 2 cores.
#      Held-out loss 0.0088, but no held-out problem solved: each family failed at a rare
#      decision (the next pass number, where carry's columns end, when the walk stops, which
#      definition's multiplier a lemma copies);
#   2. polish (models/bundled/polish.json): 800 steps from stage 1 on fresh problems drawn
#      from wider ranges, down to short ones, which hold more of those decisions per token.
#      Carry was solved by step 200; at step 600 a probe of held-out problems showed program
#      failing only at its last decision (writing `pass 13/12` instead of the answer) and
#      lemmas at the first lookup of a derived value, ~1,000 tokens after its derivation;
#   (focus, 800 steps from stage 2 weighted towards lemmas and program, was stopped at step
#      222: held-out accuracy at step 200 was carry 8/8, walk 4/8, program 1/8, lemmas 0/8, no
#      better than stage 2's. A probe showed why program fails: at 5, 9 and 14 passes alike
#      the model ended the run by length, not by its counter (`pass 6/5`, `pass 15/14`, or an
#      answer one pass early): it never learned to compare the pass header, ten lines back,
#      with the total, while walk, whose counter is on the line just before the decision,
#      mostly stops right. Lemmas failed at 10-way lookups keyed by one digit (`#4=`, also
#      matched by `+4=` and `4=` in every column item). Hence the formats changed.)
#   3. formats (models/bundled/formats.json): 600 steps from stage 2 on the formats of commit
#      141d3b9: program restated its counter after a pass (`end k/n`), lemmas were named by
#      letters of their own (`07/20:U3 a4*9+3`, a lookup like x's tagged digits). Fresh
#      problems weighted towards the families that failed (lemmas 2500, program 2000, walk
#      1200, carry 500), knobs from short to twice the benchmark's. 46 min. At step 600 walk
#      and carry were solved (8/8 each), program and lemmas not at all (0/8): a probe of
#      next-token samples showed `answer` after `end 12/12` at its base rate (3 in 40), and at
#      the first lemma round the model wrote the name 1 time in 5, a random one, so greedy
#      decoding never entered the lemma phase. Both decisions compared a counter with a number;
#      carry's and walk's stops, learned in the v1 model's 4 h, are the only ones it had learned.
#   4. counters (models/bundled/counters.json): 600 steps from stage 3 on def8200's formats,
#      where no decision compares two numbers: program counts the passes left down to `left 0`,
#      lemmas has a warm-up phase of its own (`w01/06:`) ending like carry's run, and a lemma
#      round writes the lemma's name right after the digit that chooses it (`a4*9+U3`).
#      45 min. At step 600 walk and carry were solved (8/8), program and lemmas not (0/8). The
#      lemma phase was now entered, but a probe of per-token losses on held-out problems
#      (teacher-forced, tests/reference/hf_forward.py) showed the loss of every looked-up lemma
#      digit at ln 10 (no lookup learned: `U3` at the derivation and `+U3` at the use share one
#      token before the digit), and program's `answer` after `left 0` at p = 0.2, no more
#      likely than after `left 1`.
#   5. headers (models/bundled/headers.json): 600 steps from stage 4 on the current formats:
#      program numbers every step of the run (`120/120:`), so it stops like walk and carry,
#      and a lemma's binding reads `U=3` at the derivation and at every use, a two-token key.
#      48 min. At step 600 program 7/8, walk and carry 8/8, lemmas 0/8: program's stop was
#      learned by step 330 (loss of `answer` 0.03-0.08), but every looked-up lemma digit still
#      sat at ln 10.
#   6. names (models/bundled/names.json): 600 steps from stage 5 with the embedding rows of the
#      lemma names Q..Z drawn afresh (model.fresh_tokens): the v1 model never saw those letters,
#      and their tied rows had collapsed onto one direction (cosine 0.87 between any two, 0.1-0.3
#      between other letters), so no lookup keyed by a name could be learned. Half its lemma
#      problems are short (x of 2-6 digits, 1-4 warm-up rounds), so that a lookup reaches back
#      ~200-600 tokens rather than 1,000-2,500: a first run of this stage with the fresh rows but
#      only stage 5's lengths left the lookups at ln 10 after 220 steps, and an attention probe
#      showed no head attending to the derivations at all. 52 min. At step 600 program, walk
#      and carry 8/8, lemmas 0/8: the lookups were still at ln 10, in short problems too.
#   7. tagged (models/bundled/tagged.json): 600 steps from stage 6 on d3183d3's formats, where
#      a lemma's binding is written like x's tagged digits (`=58U8` at the derivation, `+U8` at
#      a use). A trial of 150 steps from stage 6 on lemma problems alone, rewritten to this
#      shape, took most looked-up digits of short problems from ln 10 to a loss of 0.01 and a
#      few at the benchmark's lengths; this stage mixes short and long lemma problems with the
#      other families so that those are not forgotten. 52 min (the cores shared with a build).
#      At step 600 walk and carry 8/8, program 7/8, lemmas 1/8 (at step 200, with the learning
#      rate high, every family had dropped: 5/32 in all). A probe of per-token losses on held-out
#      lemma problems found every looked-up digit learned (loss under 0.01) and a single token
#      per problem at chance: the number of lemma rounds in the first lemma header (`01/14`),
#      copied from the prompt's `then 14:` a warm-up's length (~1,000 tokens) back.
#   8. restate (models/bundled/restate.json): 400 steps from stage 7 on the current formats,
#      where every warm-up header restates that number (`w01/06+14:`), so that the first lemma
#      round copies it from the line above. 25 min (elapsed_seconds at step 400, the
#      evaluations aside). At step 200 lemmas 6/8, program 7/8, walk 6/8, carry 8/8; at step
#      400 every family 8/8 on the held-out problems (held-out loss 0.00031).
#   9. steady (models/bundled/steady.json): 250 steps from stage 8 at a third of its learning
#      rate, weighted towards walk (walk 800, lemmas 600, program 400, carry 150 problems):
#      stage 8 solved 30 of the benchmark's 32 walks with the full cache, the two failures
#      each a single table entry misread (`k80>k96:7` for `:6`) among 112 hops.
#  10. evict (models/bundled/evict.json): 400 steps from stage 9 with half the examples read
#      through the cache `live` leaves (data.live_mask). Stage 9 solved 99.2% of the benchmark
#      with the whole cache but almost nothing under any eviction, `live` at 433 included: it
#      copied each value from its nearest copy (a walk entry from its last visit in the trace,
#      not from the table), and failed once those copies were evicted. Trained at commit
#      6264986, whose mask kept the live set and a fixed window of the last 64 tokens (the
#      config now reads budgets instead). 27 min. At step 400 held-out full-cache accuracy
#      carry and lemmas 24/24, program 23/24, walk 21/24; on 16 problems of another seed
#      `live` at 433 solved walk and carry, not program (a pass's wrap, `11:` for `01:`) or
#      lemmas (the warm-up counter), and at 867 all but lemmas (a lemma read far back). At
#      B = 150-300 the counters were right: the model failed on views larger than its
#      training window, which it had never seen.
#  11. masked (models/bundled/masked.json): 400 steps from stage 10, three quarters of the
#      examples masked, each at a budget drawn from 160..1024 (`live`'s choice at that
#      budget, every 32 tokens), weighted towards lemmas and program. 27 min. Held-out, whole
#      cache: 92/96 (walk 21/24, program 23/24). On 16 problems of seed 9301 `live` solved
#      walk and carry at 433, not program (a pass's wrap) or lemmas (a second use read from
#      the first use's copy, far back).
#  12. wrap (models/bundled/wrap.json): 400 steps from stage 11, 85% of the examples masked,
#      weighted towards program, under the live sets of this commit: a lemma's derivation is
#      kept (not its latest use), and a program step's header one pass back. With these live
#      sets stage 11 already solved the dev lemmas at 217-867; program still wrapped to `11:`.
#      24 min. Held-out, whole cache: 92/96 (walk 21/24, program 23/24). On the 16 dev problems
#      `live` solved lemmas and carry at 217-867, walk at 433 and 867, program at 867 only: at
#      433 every program passed the wraps of steps 21-61 and wrapped to `11:` at step 71.
#  13. again (models/bundled/again.json): 400 steps from stage 12, 90% masked at budgets
#      160..800 (where a pass's previous wrap has left the recent window), program 1600 of the
#      2750 problems. 27 min. Held-out, whole cache: 94/96 (walk 23/24, program 23/24). On the
#      16 dev problems `live` solved 4/4 of every family at 867; at 433 all but two programs (a
#      wrap to `11:` in the last pass); at 217 program and carry 4/4, lemmas 3/4, walk 1/4.
# Stages 1 to 7 were trained with older formats (stages 1 and 2: commit 0a930fd's, digit-named
# lemmas and no `end` line; stage 3: 141d3b9's; stage 4: def8200's; stages 5 and 6: e4d10a6's,
# bindings `U=3`; stage 7: d3183d3's); run from scratch today they see the current formats
# instead, so their logs hold for those commits' generators only.
# A finished run removes models/bundled/resume/ (stage checkpoints saved between sessions).
# Writes the seeded training data first, so every run sees the same problems; deterministic,
# so this script reproduces the bundled model. Copies the finished model into models/bundled.
#
# Resuming: rerun the script. A stage with a checkpoint in runs/bundled_v2/STAGE resumes from
# it. runs/ is not in the repository: to continue on another machine, run
# scripts/save_training.sh and commit models/bundled/resume/, which this script restores into
# runs/ (the data is regenerated, identical, from its seeds). To add a stage on a machine
# without runs/, put the committed model (models/bundled: config, generation_config, tokenizer,
# model.safetensors) into runs/bundled_v2/again/model and create a `finished` file in
# runs/bundled_v2/STAGE for every stage listed below, so that only the new one trains.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

data=runs/bundled_v2/data
# Knob ranges around the benchmark's defaults (src/tasks/*_task.hpp), reaching about twice its lengths.
TRAIN_KNOBS=(--knob program.lines=6..12 --knob registers=4..8 --knob passes=4..20
  --knob entries=8..20 --knob hops=40..160 --knob walk.digits=1..2
  --knob lemmas.digits=6..16 --knob rounds=12..26 --knob warmup=6..10
  --knob carry.digits=8..22 --knob steps=6..24)
if [ ! -f "$data/heldout.jsonl" ]; then
  mkdir -p "$data"
  build/foresight tasks --family program,walk,lemmas,carry --n 4000 --seed 501 "${TRAIN_KNOBS[@]}" \
    --out "$data/train.jsonl"
  # Held-out problems at the benchmark's knobs (the defaults), 24 of each family.
  build/foresight tasks --family program,walk,lemmas,carry --n 96 --seed 505 \
    --out "$data/heldout.jsonl"
fi

# train CONFIG OUT: runs train-lm, resuming when OUT holds a checkpoint; a finished run is
# left alone.
train() {
  local resume=() saved=models/bundled/resume/$(basename "$2")
  if [[ -d $saved && ! -d $2/checkpoint && ! -f $2/finished ]]; then
    mkdir -p "$2"
    cp -r "$saved"/* "$2/"
  fi
  [ -d "$2/checkpoint" ] && resume=(--resume)
  if [ -f "$2/finished" ]; then return; fi
  build/foresight train-lm --config "$1" --out "$2" "${resume[@]}"
  touch "$2/finished"
}

if [ ! -f "$data/polish.jsonl" ]; then
  build/foresight tasks --family program,walk,lemmas,carry --n 6000 --seed 511 \
    --knob program.lines=6..12 --knob registers=4..8 --knob passes=2..20 \
    --knob entries=8..20 --knob hops=10..160 --knob walk.digits=1..2 \
    --knob lemmas.digits=6..16 --knob rounds=10..24 --knob warmup=4..8 \
    --knob carry.digits=6..22 --knob steps=2..24 --out "$data/polish.jsonl"
fi

# stage_tasks STAGE NAME N SEED KNOBS...: a stage's problems of one family (NAME, or
# short_FAMILY for a second, shorter set of it).
stage_tasks() {
  local stage=$1 name=$2 n=$3 seed=$4; shift 4
  [ -f "$data/${stage}_$name.jsonl" ] ||
    build/foresight tasks --family "${name#short_}" --n "$n" --seed "$seed" "$@" \
      --out "$data/${stage}_$name.jsonl"
}
LEMMAS=(--knob digits=6..16 --knob rounds=12..24 --knob warmup=4..10)
PROGRAM=(--knob lines=6..12 --knob registers=4..8 --knob passes=2..20)
WALK=(--knob entries=8..20 --knob hops=10..160 --knob digits=1..2)
CARRY=(--knob digits=6..22 --knob steps=2..24)
SHORT_LEMMAS=(--knob digits=2..6 --knob rounds=6..16 --knob warmup=1..4)
LONG_WALK=(--knob entries=12..20 --knob hops=60..160 --knob digits=1..2)
stage_tasks formats lemmas 2500 531 "${LEMMAS[@]}"
stage_tasks formats program 2000 532 "${PROGRAM[@]}"
stage_tasks formats walk 1200 533 "${WALK[@]}"
stage_tasks formats carry 500 534 "${CARRY[@]}"
stage_tasks counters lemmas 2500 541 "${LEMMAS[@]}"
stage_tasks counters program 2000 542 "${PROGRAM[@]}"
stage_tasks counters walk 800 543 "${WALK[@]}"
stage_tasks counters carry 400 544 "${CARRY[@]}"
stage_tasks headers lemmas 2500 551 "${LEMMAS[@]}"
stage_tasks headers program 2000 552 "${PROGRAM[@]}"
stage_tasks headers walk 800 553 "${WALK[@]}"
stage_tasks headers carry 400 554 "${CARRY[@]}"
stage_tasks names lemmas 1500 561 "${LEMMAS[@]}"
stage_tasks names short_lemmas 1500 565 "${SHORT_LEMMAS[@]}"
stage_tasks names program 2000 562 "${PROGRAM[@]}"
stage_tasks names walk 800 563 "${WALK[@]}"
stage_tasks names carry 400 564 "${CARRY[@]}"
stage_tasks tagged lemmas 2000 571 "${LEMMAS[@]}"
stage_tasks tagged short_lemmas 1500 575 "${SHORT_LEMMAS[@]}"
stage_tasks tagged program 1200 572 "${PROGRAM[@]}"
stage_tasks tagged walk 500 573 "${WALK[@]}"
stage_tasks tagged carry 300 574 "${CARRY[@]}"
stage_tasks restate lemmas 2000 581 "${LEMMAS[@]}"
stage_tasks restate short_lemmas 1500 585 "${SHORT_LEMMAS[@]}"
stage_tasks restate program 1200 582 "${PROGRAM[@]}"
stage_tasks restate walk 500 583 "${WALK[@]}"
stage_tasks restate carry 300 584 "${CARRY[@]}"
stage_tasks steady lemmas 400 591 "${LEMMAS[@]}"
stage_tasks steady short_lemmas 200 595 "${SHORT_LEMMAS[@]}"
stage_tasks steady program 400 592 "${PROGRAM[@]}"
stage_tasks steady walk 800 593 "${LONG_WALK[@]}"
stage_tasks steady carry 150 594 "${CARRY[@]}"
stage_tasks evict lemmas 800 601 "${LEMMAS[@]}"
stage_tasks evict short_lemmas 300 605 "${SHORT_LEMMAS[@]}"
stage_tasks evict program 800 602 "${PROGRAM[@]}"
stage_tasks evict walk 800 603 "${LONG_WALK[@]}"
stage_tasks evict carry 300 604 "${CARRY[@]}"
stage_tasks masked lemmas 1200 611 "${LEMMAS[@]}"
stage_tasks masked short_lemmas 400 615 "${SHORT_LEMMAS[@]}"
stage_tasks masked program 1000 612 "${PROGRAM[@]}"
stage_tasks masked walk 600 613 "${LONG_WALK[@]}"
stage_tasks masked carry 300 614 "${CARRY[@]}"
stage_tasks wrap lemmas 700 621 "${LEMMAS[@]}"
stage_tasks wrap short_lemmas 200 625 "${SHORT_LEMMAS[@]}"
stage_tasks wrap program 1400 622 "${PROGRAM[@]}"
stage_tasks wrap walk 500 623 "${LONG_WALK[@]}"
stage_tasks wrap carry 200 624 "${CARRY[@]}"
stage_tasks again lemmas 400 631 "${LEMMAS[@]}"
stage_tasks again short_lemmas 100 635 "${SHORT_LEMMAS[@]}"
stage_tasks again program 1600 632 "${PROGRAM[@]}"
stage_tasks again walk 500 633 "${LONG_WALK[@]}"
stage_tasks again carry 150 634 "${CARRY[@]}"
# The held-out problems again, in the lemma formats stages 7 and 8 train on (heldout.jsonl may
# hold an older one).
for stage in tagged restate; do
  [ -f "$data/${stage}_heldout.jsonl" ] ||
    build/foresight tasks --family program,walk,lemmas,carry --n 96 --seed 505 \
      --out "$data/${stage}_heldout.jsonl"
done

train models/bundled/extend.json runs/bundled_v2/extend
train models/bundled/polish.json runs/bundled_v2/polish
train models/bundled/formats.json runs/bundled_v2/formats
train models/bundled/counters.json runs/bundled_v2/counters
train models/bundled/headers.json runs/bundled_v2/headers
train models/bundled/names.json runs/bundled_v2/names
train models/bundled/tagged.json runs/bundled_v2/tagged
train models/bundled/restate.json runs/bundled_v2/restate
train models/bundled/steady.json runs/bundled_v2/steady
train models/bundled/evict.json runs/bundled_v2/evict
train models/bundled/masked.json runs/bundled_v2/masked
train models/bundled/wrap.json runs/bundled_v2/wrap
train models/bundled/again.json runs/bundled_v2/again
cp runs/bundled_v2/again/model/* models/bundled/
for stage in extend polish formats counters headers names tagged restate steady evict masked wrap again; do
  cp runs/bundled_v2/$stage/train_log.jsonl models/bundled/${stage}_log.jsonl
done
rm -rf models/bundled/resume
echo "bundled model written to models/bundled"
