;; Dot products of marks against region vectors with 128-bit SIMD (4 float32 lanes, two accumulators).
;; Built into similarities.wasm by `npm run build:wasm` (wabt); engine/regions/kernels/similarities.ts
;; loads it. Vectors are float32 rows of `dim` values, dim a multiple of 8, all at 16-byte aligned
;; offsets in the exported memory.
(module
  (memory (export "memory") 1)

  ;; a . b over `bytes` bytes (a multiple of 32)
  (func $dot (param $a i32) (param $b i32) (param $bytes i32) (result f32)
    (local $i i32) (local $acc0 v128) (local $acc1 v128) (local $sum v128)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (local.set $acc0 (f32x4.add (local.get $acc0)
          (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $i)))
                     (v128.load (i32.add (local.get $b) (local.get $i))))))
        (local.set $acc1 (f32x4.add (local.get $acc1)
          (f32x4.mul (v128.load offset=16 (i32.add (local.get $a) (local.get $i)))
                     (v128.load offset=16 (i32.add (local.get $b) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 32)))
        (br $next)))
    (local.set $sum (f32x4.add (local.get $acc0) (local.get $acc1)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $sum)) (f32x4.extract_lane 1 (local.get $sum)))
      (f32.add (f32x4.extract_lane 2 (local.get $sum)) (f32x4.extract_lane 3 (local.get $sum)))))

  ;; out[m * count + r] = marks[m] . regions[r] for every mark m < nMarks and region r < count
  (func (export "dots") (param $marks i32) (param $nMarks i32) (param $regions i32) (param $count i32) (param $dim i32) (param $out i32)
    (local $bytes i32) (local $m i32) (local $r i32) (local $mark i32) (local $row i32)
    (local.set $bytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $mark (local.get $marks))
    (block $marksDone
      (loop $nextMark
        (br_if $marksDone (i32.ge_u (local.get $m) (local.get $nMarks)))
        (local.set $r (i32.const 0))
        (local.set $row (local.get $regions))
        (block $regionsDone
          (loop $nextRegion
            (br_if $regionsDone (i32.ge_u (local.get $r) (local.get $count)))
            (f32.store (local.get $out) (call $dot (local.get $mark) (local.get $row) (local.get $bytes)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $row (i32.add (local.get $row) (local.get $bytes)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $nextRegion)))
        (local.set $mark (i32.add (local.get $mark) (local.get $bytes)))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $nextMark))))

  ;; out[r] = regions[r] . regions[r] (squared norms)
  (func (export "squaredNorms") (param $regions i32) (param $count i32) (param $dim i32) (param $out i32)
    (local $bytes i32) (local $r i32) (local $row i32)
    (local.set $bytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $row (local.get $regions))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $r) (local.get $count)))
        (f32.store (local.get $out) (call $dot (local.get $row) (local.get $row) (local.get $bytes)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next)))))
