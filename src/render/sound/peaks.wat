;; True-peak reconstruction for the soundtrack: a 4× oversampling FIR (three interpolating phases of twelve taps)
;; over 32-bit float samples, four output samples at a time.
;;
;; Memory: the twelve taps of each phase at 0 (phase-major, 144 bytes); what `peaks` reads and writes is placed by
;; the caller. Taps and samples are f32: the sums differ from double precision by about 1e-7 of the peak.
(module
  (memory (export "memory") 1)

  ;; Σ taps[phase][k] · samples[base + k .. base + k + 3] for one phase, four outputs at once.
  (func $phase (param $samples i32) (param $taps i32) (result v128)
    (local $sum v128) (local $k i32)
    (local.set $sum (v128.const f32x4 0 0 0 0))
    (loop $tap
      (local.set $sum
        (f32x4.add
          (local.get $sum)
          (f32x4.mul
            (v128.load32_splat (i32.add (local.get $taps) (i32.shl (local.get $k) (i32.const 2))))
            (v128.load (i32.add (local.get $samples) (i32.shl (local.get $k) (i32.const 2)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $tap (i32.lt_u (local.get $k) (i32.const 12))))
    (local.get $sum))

  ;; For i in [0, count): out[i] = max(out[i], |s[i + 6]|, |phase 1|, |phase 2|, |phase 3|), where the phases
  ;; interpolate between s[i + 5] and s[i + 6] from s[i] .. s[i + 11]. `samples` holds count + 11 floats and three
  ;; more readable ones; `out` has room for count rounded up to four.
  (func (export "peaks") (param $samples i32) (param $out i32) (param $count i32)
    (local $end i32) (local $peak v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $peak
          (f32x4.max
            (f32x4.max (v128.load (local.get $out)) (f32x4.abs (v128.load offset=24 (local.get $samples))))
            (f32x4.max
              (f32x4.abs (call $phase (local.get $samples) (i32.const 0)))
              (f32x4.max
                (f32x4.abs (call $phase (local.get $samples) (i32.const 48)))
                (f32x4.abs (call $phase (local.get $samples) (i32.const 96)))))))
        (v128.store (local.get $out) (local.get $peak))
        (local.set $samples (i32.add (local.get $samples) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next))))
)
