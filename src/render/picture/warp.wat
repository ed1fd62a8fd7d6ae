;; The renderer's hottest loops (see warp.ts): bilinear resampling of one 8-bit plane, the cross-fade of two,
;; and a picture with alpha drawn over one (captions and titles).
;; Separable: each source row the output needs is resampled across once, to 8.8
;; fixed point, and kept while the next output row needs it; then each output row
;; is blended down from two such rows, sixteen pixels at a time. The arithmetic is
;; the reference's, integer for integer: a + (b - a)·w across, then down, rounded.
(module
  (memory (export "memory") 1)

  ;; out[x] = (p << 8) + (q - p)·w, with p, q = row[index[x]], row[index[x] + 1], w = weight[x] (1/256).
  (func $across (param $row i32) (param $index i32) (param $weight i32) (param $out i32) (param $width i32)
    (local $end i32) (local $at i32) (local $p i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $width) (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $at (i32.add (local.get $row) (i32.load (local.get $index))))
        (local.set $p (i32.load8_u (local.get $at)))
        (i32.store16
          (local.get $out)
          (i32.add
            (i32.shl (local.get $p) (i32.const 8))
            (i32.mul
              (i32.sub (i32.load8_u offset=1 (local.get $at)) (local.get $p))
              (i32.load (local.get $weight)))))
        (local.set $index (i32.add (local.get $index) (i32.const 4)))
        (local.set $weight (i32.add (local.get $weight) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 2)))
        (br $next))))

  ;; The same, eight outputs at a time, where eight neighbouring outputs read within sixteen source bytes (every
  ;; window the motion uses: it never shrinks the picture by two or more). Per block of eight: the first source
  ;; index (i32), the other seven as offsets from it (8 bytes), and the weights (8 × i16). Two swizzles gather p and
  ;; q; the sum is worked mod 2^16, which is exact because the true value lies in [0, 65280].
  (func $acrossBlocks (param $row i32) (param $first i32) (param $offsets i32) (param $weights i32) (param $out i32) (param $width i32)
    (local $end i32) (local $window v128) (local $p v128) (local $at v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $width) (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $window (v128.load (i32.add (local.get $row) (i32.load (local.get $first)))))
        (local.set $at (v128.load64_zero (local.get $offsets)))
        (local.set $p (i16x8.extend_low_i8x16_u (i8x16.swizzle (local.get $window) (local.get $at))))
        (v128.store
          (local.get $out)
          (i16x8.add
            (i16x8.shl (local.get $p) (i32.const 8))
            (i16x8.mul
              (i16x8.sub
                (i16x8.extend_low_i8x16_u (i8x16.swizzle (local.get $window) (i8x16.add (local.get $at) (i8x16.splat (i32.const 1)))))
                (local.get $p))
              (v128.load (local.get $weights)))))
        (local.set $first (i32.add (local.get $first) (i32.const 4)))
        (local.set $offsets (i32.add (local.get $offsets) (i32.const 8)))
        (local.set $weights (i32.add (local.get $weights) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next))))

  ;; One source row across, by blocks of eight when `blocks` is not 0.
  (func $resample (param $row i32) (param $blocks i32) (param $index i32) (param $weight i32) (param $first i32) (param $offsets i32) (param $weights i32) (param $out i32) (param $width i32)
    (if (local.get $blocks)
      (then (call $acrossBlocks (local.get $row) (local.get $first) (local.get $offsets) (local.get $weights) (local.get $out) (local.get $width)))
      (else (call $across (local.get $row) (local.get $index) (local.get $weight) (local.get $out) (local.get $width)))))

  ;; Eight pixels down: ((top << 8) + (bottom - top)·w + 32768) >> 16, as eight 16-bit lanes.
  (func $down8 (param $top v128) (param $bottom v128) (param $w v128) (result v128)
    (local $t v128) (local $b v128) (local $low v128)
    (local.set $t (i32x4.extend_low_i16x8_u (local.get $top)))
    (local.set $b (i32x4.extend_low_i16x8_u (local.get $bottom)))
    (local.set $low
      (i32x4.shr_s
        (i32x4.add
          (i32x4.add (i32x4.shl (local.get $t) (i32.const 8)) (i32x4.mul (i32x4.sub (local.get $b) (local.get $t)) (local.get $w)))
          (i32x4.splat (i32.const 32768)))
        (i32.const 16)))
    (local.set $t (i32x4.extend_high_i16x8_u (local.get $top)))
    (local.set $b (i32x4.extend_high_i16x8_u (local.get $bottom)))
    (i16x8.narrow_i32x4_s
      (local.get $low)
      (i32x4.shr_s
        (i32x4.add
          (i32x4.add (i32x4.shl (local.get $t) (i32.const 8)) (i32x4.mul (i32x4.sub (local.get $b) (local.get $t)) (local.get $w)))
          (i32x4.splat (i32.const 32768)))
        (i32.const 16))))

  ;; One output row from two resampled rows, sixteen pixels at a time: it writes up to 15 bytes past
  ;; `width`, which the next row (or the padding after the plane) takes.
  (func $down (param $top i32) (param $bottom i32) (param $weight i32) (param $out i32) (param $width i32)
    (local $end i32) (local $w v128)
    (local.set $w (i32x4.splat (local.get $weight)))
    (local.set $end (i32.add (local.get $out) (local.get $width)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (v128.store
          (local.get $out)
          (i8x16.narrow_i16x8_u
            (call $down8 (v128.load (local.get $top)) (v128.load (local.get $bottom)) (local.get $w))
            (call $down8 (v128.load offset=16 (local.get $top)) (v128.load offset=16 (local.get $bottom)) (local.get $w))))
        (local.set $top (i32.add (local.get $top) (i32.const 32)))
        (local.set $bottom (i32.add (local.get $bottom) (i32.const 32)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next))))

  ;; The whole plane: `rows` holds the source rows (srcWidth bytes each) that rowIndex names, from 0;
  ;; per output column and row, the first source sample's index and the second's weight (i32 each);
  ;; `above` and `below` are scratch rows of 2 bytes per output column, rounded up to 16 columns; with
  ;; `blocks` set, rows are resampled across by blocks of eight columns (see $acrossBlocks).
  (func (export "plane")
    (param $rows i32) (param $srcWidth i32) (param $out i32) (param $width i32) (param $height i32)
    (param $columnIndex i32) (param $columnWeight i32) (param $rowIndex i32) (param $rowWeight i32)
    (param $above i32) (param $below i32)
    (param $blocks i32) (param $blockFirst i32) (param $blockOffsets i32) (param $blockWeights i32)
    (local $row i32) (local $first i32) (local $hasAbove i32) (local $hasBelow i32) (local $swap i32)
    (local.set $hasAbove (i32.const -1))
    (local.set $hasBelow (i32.const -1))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $row) (local.get $height)))
        (local.set $first (i32.load (i32.add (local.get $rowIndex) (i32.shl (local.get $row) (i32.const 2)))))
        (if (i32.ne (local.get $first) (local.get $hasAbove))
          (then
            (if (i32.eq (local.get $first) (local.get $hasBelow))
              (then
                ;; The row below becomes the row above: swap the buffers.
                (local.set $swap (local.get $above))
                (local.set $above (local.get $below))
                (local.set $below (local.get $swap))
                (local.set $hasBelow (i32.const -1)))
              (else
                (call $resample
                  (i32.add (local.get $rows) (i32.mul (local.get $first) (local.get $srcWidth)))
                  (local.get $blocks) (local.get $columnIndex) (local.get $columnWeight)
                  (local.get $blockFirst) (local.get $blockOffsets) (local.get $blockWeights) (local.get $above) (local.get $width))))
            (local.set $hasAbove (local.get $first))))
        (if (i32.ne (i32.add (local.get $first) (i32.const 1)) (local.get $hasBelow))
          (then
            (call $resample
              (i32.add (local.get $rows) (i32.mul (i32.add (local.get $first) (i32.const 1)) (local.get $srcWidth)))
              (local.get $blocks) (local.get $columnIndex) (local.get $columnWeight)
              (local.get $blockFirst) (local.get $blockOffsets) (local.get $blockWeights) (local.get $below) (local.get $width))
            (local.set $hasBelow (i32.add (local.get $first) (i32.const 1)))))
        (call $down
          (local.get $above) (local.get $below)
          (i32.load (i32.add (local.get $rowWeight) (i32.shl (local.get $row) (i32.const 2))))
          (i32.add (local.get $out) (i32.mul (local.get $row) (local.get $width)))
          (local.get $width))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $next))))

  ;; out = (a·(256 - w) + b·w + 128) >> 8 over `length` bytes, sixteen at a time (a cross-fade). The sum is worked
  ;; mod 2^16, exact because it lies in [0, 65408]. It writes up to 15 bytes past `length` (padding after `out`).
  (func (export "mix") (param $a i32) (param $b i32) (param $out i32) (param $length i32) (param $weight i32)
    (local $end i32) (local $wa v128) (local $wb v128) (local $half v128) (local $x v128) (local $y v128)
    (local.set $wb (i16x8.splat (local.get $weight)))
    (local.set $wa (i16x8.splat (i32.sub (i32.const 256) (local.get $weight))))
    (local.set $half (i16x8.splat (i32.const 128)))
    (local.set $end (i32.add (local.get $out) (local.get $length)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $x (v128.load (local.get $a)))
        (local.set $y (v128.load (local.get $b)))
        (v128.store
          (local.get $out)
          (i8x16.narrow_i16x8_u
            (i16x8.shr_u
              (i16x8.add
                (i16x8.add
                  (i16x8.mul (i16x8.extend_low_i8x16_u (local.get $x)) (local.get $wa))
                  (i16x8.mul (i16x8.extend_low_i8x16_u (local.get $y)) (local.get $wb)))
                (local.get $half))
              (i32.const 8))
            (i16x8.shr_u
              (i16x8.add
                (i16x8.add
                  (i16x8.mul (i16x8.extend_high_i8x16_u (local.get $x)) (local.get $wa))
                  (i16x8.mul (i16x8.extend_high_i8x16_u (local.get $y)) (local.get $wb)))
                (local.get $half))
              (i32.const 8))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next))))
  ;; One lane group of `over`: dst·(255 - a) + src·a with a = alpha·k >> 8, divided by 255 (rounded down after
  ;; adding 127) as (v + 1 + (v >> 8)) >> 8. Every step stays below 2^16, so eight u16 lanes hold it exactly.
  (func $over8 (param $dst v128) (param $src v128) (param $alpha v128) (param $k v128) (result v128)
    (local $a v128) (local $v v128)
    (local.set $a (i16x8.shr_u (i16x8.mul (local.get $alpha) (local.get $k)) (i32.const 8)))
    (local.set $v
      (i16x8.add
        (i16x8.add
          (i16x8.mul (local.get $dst) (i16x8.sub (i16x8.splat (i32.const 255)) (local.get $a)))
          (i16x8.mul (local.get $src) (local.get $a)))
        (i16x8.splat (i32.const 127))))
    (i16x8.shr_u
      (i16x8.add (i16x8.add (local.get $v) (i16x8.splat (i32.const 1))) (i16x8.shr_u (local.get $v) (i32.const 8)))
      (i32.const 8)))

  ;; A picture with alpha drawn over `width`×`height` bytes of a plane whose rows are `stride` apart, at
  ;; opacity k/256: sixteen bytes at a time, the last few of a row one at a time (nothing past a row is touched).
  (func (export "over")
    (param $dst i32) (param $stride i32) (param $src i32) (param $alpha i32) (param $width i32) (param $height i32) (param $k i32)
    (local $row i32) (local $x i32) (local $d i32) (local $kv v128) (local $D v128) (local $S v128) (local $A v128)
    (local $a i32) (local $v i32)
    (local.set $kv (i16x8.splat (local.get $k)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $height)))
        (local.set $x (i32.const 0))
        (block $wideDone
          (loop $wide
            (br_if $wideDone (i32.gt_u (i32.add (local.get $x) (i32.const 16)) (local.get $width)))
            (local.set $d (i32.add (local.get $dst) (local.get $x)))
            (local.set $D (v128.load (local.get $d)))
            (local.set $S (v128.load (i32.add (local.get $src) (local.get $x))))
            (local.set $A (v128.load (i32.add (local.get $alpha) (local.get $x))))
            (v128.store
              (local.get $d)
              (i8x16.narrow_i16x8_u
                (call $over8
                  (i16x8.extend_low_i8x16_u (local.get $D)) (i16x8.extend_low_i8x16_u (local.get $S))
                  (i16x8.extend_low_i8x16_u (local.get $A)) (local.get $kv))
                (call $over8
                  (i16x8.extend_high_i8x16_u (local.get $D)) (i16x8.extend_high_i8x16_u (local.get $S))
                  (i16x8.extend_high_i8x16_u (local.get $A)) (local.get $kv))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (br $wide)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $x) (local.get $width)))
            (local.set $d (i32.add (local.get $dst) (local.get $x)))
            (local.set $a
              (i32.shr_u (i32.mul (i32.load8_u (i32.add (local.get $alpha) (local.get $x))) (local.get $k)) (i32.const 8)))
            (local.set $v
              (i32.add
                (i32.add
                  (i32.mul (i32.load8_u (local.get $d)) (i32.sub (i32.const 255) (local.get $a)))
                  (i32.mul (i32.load8_u (i32.add (local.get $src) (local.get $x))) (local.get $a)))
                (i32.const 127)))
            (i32.store8
              (local.get $d)
              (i32.shr_u (i32.add (i32.add (local.get $v) (i32.const 1)) (i32.shr_u (local.get $v) (i32.const 8))) (i32.const 8)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $tail)))
        (local.set $dst (i32.add (local.get $dst) (local.get $stride)))
        (local.set $src (i32.add (local.get $src) (local.get $width)))
        (local.set $alpha (i32.add (local.get $alpha) (local.get $width)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows))))
)
