;; Bilinear resampling of one 8-bit plane, the renderer's hottest loop (see warp.ts).
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
  ;; `above` and `below` are scratch rows of 2 bytes per output column, rounded up to 16 columns.
  (func (export "plane")
    (param $rows i32) (param $srcWidth i32) (param $out i32) (param $width i32) (param $height i32)
    (param $columnIndex i32) (param $columnWeight i32) (param $rowIndex i32) (param $rowWeight i32)
    (param $above i32) (param $below i32)
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
                (call $across
                  (i32.add (local.get $rows) (i32.mul (local.get $first) (local.get $srcWidth)))
                  (local.get $columnIndex) (local.get $columnWeight) (local.get $above) (local.get $width))))
            (local.set $hasAbove (local.get $first))))
        (if (i32.ne (i32.add (local.get $first) (i32.const 1)) (local.get $hasBelow))
          (then
            (call $across
              (i32.add (local.get $rows) (i32.mul (i32.add (local.get $first) (i32.const 1)) (local.get $srcWidth)))
              (local.get $columnIndex) (local.get $columnWeight) (local.get $below) (local.get $width))
            (local.set $hasBelow (i32.add (local.get $first) (i32.const 1)))))
        (call $down
          (local.get $above) (local.get $below)
          (i32.load (i32.add (local.get $rowWeight) (i32.shl (local.get $row) (i32.const 2))))
          (i32.add (local.get $out) (i32.mul (local.get $row) (local.get $width)))
          (local.get $width))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $next)))))
