;; XXH3-64 with seed 0 and the default secret (the checksum Iggy stamps on every message), written
;; from the algorithm's specification. `node scripts/build-xxh3-wasm.mjs` compiles it into xxh3-wasm.ts.
;;
;; Memory: bytes 0..191 hold the secret; the caller owns everything from 256 on.
(module
  (memory (export "memory") 1)
  (data (i32.const 0)
    "\b8\fe\6c\39\23\a4\4b\be\7c\01\81\2c\f7\21\ad\1c\de\d4\6d\e9\83\90\97\db\72\40\a4\a4\b7\b3\67\1f"
    "\cb\79\e6\4e\cc\c0\e5\78\82\5a\d0\7d\cc\ff\72\21\b8\08\46\74\f7\43\24\8e\e0\35\90\e6\81\3a\26\4c"
    "\3c\28\52\bb\91\c3\00\cb\88\d0\65\8b\1b\53\2e\a3\71\64\48\97\a2\0d\f9\4e\38\19\ef\46\a9\de\ac\d8"
    "\a8\fa\76\3f\e3\9c\34\3f\f9\dc\bb\c7\c7\0b\4f\1d\8a\51\e0\4b\cd\b4\59\31\c8\9f\7e\c9\d9\78\73\64"
    "\ea\c5\ac\83\34\d3\eb\c3\c5\81\a0\ff\fa\13\63\eb\17\0d\dd\51\b7\f0\da\49\d3\16\55\26\29\d4\68\9e"
    "\2b\16\be\58\7d\47\a1\fc\8f\f8\b8\d1\7a\d0\31\ce\45\cb\3a\8f\95\16\04\28\af\d7\fb\ca\bb\4b\40\7e")

  ;; The high and low halves of the 128-bit product of a and b, xor-ed together.
  (func $mulFold (param $a i64) (param $b i64) (result i64)
    (local $aL i64) (local $aH i64) (local $bL i64) (local $bH i64) (local $ll i64) (local $hl i64) (local $cross i64)
    (local.set $aL (i64.and (local.get $a) (i64.const 0xffffffff)))
    (local.set $aH (i64.shr_u (local.get $a) (i64.const 32)))
    (local.set $bL (i64.and (local.get $b) (i64.const 0xffffffff)))
    (local.set $bH (i64.shr_u (local.get $b) (i64.const 32)))
    (local.set $ll (i64.mul (local.get $aL) (local.get $bL)))
    (local.set $hl (i64.mul (local.get $aH) (local.get $bL)))
    (local.set $cross
      (i64.add
        (i64.add (i64.shr_u (local.get $ll) (i64.const 32)) (i64.and (local.get $hl) (i64.const 0xffffffff)))
        (i64.mul (local.get $aL) (local.get $bH))))
    (i64.xor
      (i64.mul (local.get $a) (local.get $b))
      (i64.add
        (i64.add (i64.shr_u (local.get $hl) (i64.const 32)) (i64.shr_u (local.get $cross) (i64.const 32)))
        (i64.mul (local.get $aH) (local.get $bH)))))

  (func $avalanche (param $h i64) (result i64)
    (local.set $h (i64.mul (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 37)))
      (i64.const 0x165667919e3779f9)))
    (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 32))))

  (func $avalanche64 (param $h i64) (result i64)
    (local.set $h (i64.mul (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 33)))
      (i64.const 0xc2b2ae3d27d4eb4f)))
    (local.set $h (i64.mul (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 29)))
      (i64.const 0x165667b19e3779f9)))
    (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 32))))

  (func $rrmxmx (param $h i64) (param $len i64) (result i64)
    (local.set $h (i64.xor (local.get $h)
      (i64.xor (i64.rotl (local.get $h) (i64.const 49)) (i64.rotl (local.get $h) (i64.const 24)))))
    (local.set $h (i64.mul (local.get $h) (i64.const 0x9fb21c651e98df25)))
    (local.set $h (i64.xor (local.get $h) (i64.add (i64.shr_u (local.get $h) (i64.const 35)) (local.get $len))))
    (local.set $h (i64.mul (local.get $h) (i64.const 0x9fb21c651e98df25)))
    (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 28))))

  ;; 16 input bytes at p against 16 secret bytes at s (the product folded as in $mulFold, inlined: hot).
  (func $mix16 (param $p i32) (param $s i32) (result i64)
    (local $a i64) (local $b i64) (local $aL i64) (local $aH i64) (local $bL i64) (local $bH i64) (local $ll i64) (local $hl i64) (local $cross i64)
    (local.set $a (i64.xor (i64.load (local.get $p)) (i64.load (local.get $s))))
    (local.set $b (i64.xor (i64.load offset=8 (local.get $p)) (i64.load offset=8 (local.get $s))))
    (local.set $aL (i64.and (local.get $a) (i64.const 0xffffffff)))
    (local.set $aH (i64.shr_u (local.get $a) (i64.const 32)))
    (local.set $bL (i64.and (local.get $b) (i64.const 0xffffffff)))
    (local.set $bH (i64.shr_u (local.get $b) (i64.const 32)))
    (local.set $ll (i64.mul (local.get $aL) (local.get $bL)))
    (local.set $hl (i64.mul (local.get $aH) (local.get $bL)))
    (local.set $cross
      (i64.add
        (i64.add (i64.shr_u (local.get $ll) (i64.const 32)) (i64.and (local.get $hl) (i64.const 0xffffffff)))
        (i64.mul (local.get $aL) (local.get $bH))))
    (i64.xor
      (i64.mul (local.get $a) (local.get $b))
      (i64.add
        (i64.add (i64.shr_u (local.get $hl) (i64.const 32)) (i64.shr_u (local.get $cross) (i64.const 32)))
        (i64.mul (local.get $aH) (local.get $bH)))))

  (func $upTo16 (param $p i32) (param $len i32) (result i64)
    (local $lo i64) (local $hi i64)
    (if (i32.gt_u (local.get $len) (i32.const 8))
      (then
        (local.set $lo (i64.xor (i64.load (local.get $p))
          (i64.xor (i64.load offset=24 (i32.const 0)) (i64.load offset=32 (i32.const 0)))))
        (local.set $hi (i64.xor (i64.load (i32.sub (i32.add (local.get $p) (local.get $len)) (i32.const 8)))
          (i64.xor (i64.load offset=40 (i32.const 0)) (i64.load offset=48 (i32.const 0)))))
        (return (call $avalanche
          (i64.add
            (i64.add (i64.extend_i32_u (local.get $len)) (call $bswap64 (local.get $lo)))
            (i64.add (local.get $hi) (call $mulFold (local.get $lo) (local.get $hi))))))))
    (if (i32.ge_u (local.get $len) (i32.const 4))
      (then
        (return (call $rrmxmx
          (i64.xor
            (i64.or
              (i64.load32_u (i32.sub (i32.add (local.get $p) (local.get $len)) (i32.const 4)))
              (i64.shl (i64.load32_u (local.get $p)) (i64.const 32)))
            (i64.xor (i64.load offset=8 (i32.const 0)) (i64.load offset=16 (i32.const 0))))
          (i64.extend_i32_u (local.get $len))))))
    (if (i32.ne (local.get $len) (i32.const 0))
      (then
        (return (call $avalanche64
          (i64.xor
            (i64.extend_i32_u
              (i32.or
                (i32.or
                  (i32.shl (i32.load8_u (local.get $p)) (i32.const 16))
                  (i32.shl (i32.load8_u (i32.add (local.get $p) (i32.shr_u (local.get $len) (i32.const 1)))) (i32.const 24)))
                (i32.or
                  (i32.load8_u (i32.sub (i32.add (local.get $p) (local.get $len)) (i32.const 1)))
                  (i32.shl (local.get $len) (i32.const 8)))))
            (i64.extend_i32_u (i32.xor (i32.load (i32.const 0)) (i32.load offset=4 (i32.const 0)))))))))
    (call $avalanche64 (i64.xor (i64.load offset=56 (i32.const 0)) (i64.load offset=64 (i32.const 0)))))

  (func $bswap64 (param $x i64) (result i64)
    (local.set $x (i64.or
      (i64.shr_u (i64.and (local.get $x) (i64.const 0xff00ff00ff00ff00)) (i64.const 8))
      (i64.shl (i64.and (local.get $x) (i64.const 0x00ff00ff00ff00ff)) (i64.const 8))))
    (local.set $x (i64.or
      (i64.shr_u (i64.and (local.get $x) (i64.const 0xffff0000ffff0000)) (i64.const 16))
      (i64.shl (i64.and (local.get $x) (i64.const 0x0000ffff0000ffff)) (i64.const 16))))
    (i64.rotl (local.get $x) (i64.const 32)))

  (func $upTo128 (param $p i32) (param $len i32) (result i64)
    (local $acc i64) (local $end i32)
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (local.set $acc (i64.mul (i64.extend_i32_u (local.get $len)) (i64.const 0x9e3779b185ebca87)))
    (if (i32.gt_u (local.get $len) (i32.const 32))
      (then
        (if (i32.gt_u (local.get $len) (i32.const 64))
          (then
            (if (i32.gt_u (local.get $len) (i32.const 96))
              (then
                (local.set $acc (i64.add (local.get $acc) (call $mix16 (i32.add (local.get $p) (i32.const 48)) (i32.const 96))))
                (local.set $acc (i64.add (local.get $acc) (call $mix16 (i32.sub (local.get $end) (i32.const 64)) (i32.const 112))))))
            (local.set $acc (i64.add (local.get $acc) (call $mix16 (i32.add (local.get $p) (i32.const 32)) (i32.const 64))))
            (local.set $acc (i64.add (local.get $acc) (call $mix16 (i32.sub (local.get $end) (i32.const 48)) (i32.const 80))))))
        (local.set $acc (i64.add (local.get $acc) (call $mix16 (i32.add (local.get $p) (i32.const 16)) (i32.const 32))))
        (local.set $acc (i64.add (local.get $acc) (call $mix16 (i32.sub (local.get $end) (i32.const 32)) (i32.const 48))))))
    (local.set $acc (i64.add (local.get $acc) (call $mix16 (local.get $p) (i32.const 0))))
    (local.set $acc (i64.add (local.get $acc) (call $mix16 (i32.sub (local.get $end) (i32.const 16)) (i32.const 16))))
    (call $avalanche (local.get $acc)))

  (func $upTo240 (param $p i32) (param $len i32) (result i64)
    (local $acc i64) (local $i i32) (local $rounds i32)
    (local.set $acc (i64.mul (i64.extend_i32_u (local.get $len)) (i64.const 0x9e3779b185ebca87)))
    (loop $first
      (local.set $acc (i64.add (local.get $acc)
        (call $mix16 (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 4))) (i32.shl (local.get $i) (i32.const 4)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $first (i32.lt_u (local.get $i) (i32.const 8))))
    (local.set $acc (call $avalanche (local.get $acc)))
    (local.set $rounds (i32.shr_u (local.get $len) (i32.const 4)))
    (block $done
      (loop $rest
        (br_if $done (i32.ge_u (local.get $i) (local.get $rounds)))
        (local.set $acc (i64.add (local.get $acc)
          (call $mix16 (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 4)))
            (i32.add (i32.shl (i32.sub (local.get $i) (i32.const 8)) (i32.const 4)) (i32.const 3)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rest)))
    (local.set $acc (i64.add (local.get $acc)
      (call $mix16 (i32.sub (i32.add (local.get $p) (local.get $len)) (i32.const 16)) (i32.const 119))))
    (call $avalanche (local.get $acc)))

  ;; Inputs over 240 bytes: 64-byte stripes into eight accumulators, scrambled after every 1024-byte block,
  ;; then the last 64 bytes, then the accumulators merged.
  (func $long (param $input i32) (param $len i32) (result i64)
    (local $a0 i64) (local $a1 i64) (local $a2 i64) (local $a3 i64)
    (local $a4 i64) (local $a5 i64) (local $a6 i64) (local $a7 i64)
    (local $v i64) (local $k i64) (local $p i32) (local $s i32)
    (local $i i32) (local $full i32) (local $regular i32) (local $result i64)
    (local.set $a0 (i64.const 0xc2b2ae3d))
    (local.set $a1 (i64.const 0x9e3779b185ebca87))
    (local.set $a2 (i64.const 0xc2b2ae3d27d4eb4f))
    (local.set $a3 (i64.const 0x165667b19e3779f9))
    (local.set $a4 (i64.const 0x85ebca77c2b2ae63))
    (local.set $a5 (i64.const 0x85ebca77))
    (local.set $a6 (i64.const 0x27d4eb2f165667c5))
    (local.set $a7 (i64.const 0x9e3779b1))
    ;; Stripes in whole blocks, then the stripes of the last partial block, then the last 64 bytes.
    (local.set $full (i32.shl (i32.div_u (i32.sub (local.get $len) (i32.const 1)) (i32.const 1024)) (i32.const 4)))
    (local.set $regular (i32.add (local.get $full)
      (i32.shr_u (i32.and (i32.sub (local.get $len) (i32.const 1)) (i32.const 1023)) (i32.const 6))))
    (loop $stripes
      (if (i32.lt_u (local.get $i) (local.get $regular))
        (then
          (local.set $p (i32.add (local.get $input) (i32.shl (local.get $i) (i32.const 6))))
          (local.set $s (i32.shl (i32.and (local.get $i) (i32.const 15)) (i32.const 3))))
        (else
          (local.set $p (i32.sub (i32.add (local.get $input) (local.get $len)) (i32.const 64)))
          (local.set $s (i32.const 121))))
            (local.set $v (i64.load offset=0 (local.get $p)))
            (local.set $k (i64.xor (local.get $v) (i64.load offset=0 (local.get $s))))
            (local.set $a1 (i64.add (local.get $a1) (local.get $v)))
            (local.set $a0 (i64.add (local.get $a0)
              (i64.mul (i64.and (local.get $k) (i64.const 0xffffffff)) (i64.shr_u (local.get $k) (i64.const 32)))))
            (local.set $v (i64.load offset=8 (local.get $p)))
            (local.set $k (i64.xor (local.get $v) (i64.load offset=8 (local.get $s))))
            (local.set $a0 (i64.add (local.get $a0) (local.get $v)))
            (local.set $a1 (i64.add (local.get $a1)
              (i64.mul (i64.and (local.get $k) (i64.const 0xffffffff)) (i64.shr_u (local.get $k) (i64.const 32)))))
            (local.set $v (i64.load offset=16 (local.get $p)))
            (local.set $k (i64.xor (local.get $v) (i64.load offset=16 (local.get $s))))
            (local.set $a3 (i64.add (local.get $a3) (local.get $v)))
            (local.set $a2 (i64.add (local.get $a2)
              (i64.mul (i64.and (local.get $k) (i64.const 0xffffffff)) (i64.shr_u (local.get $k) (i64.const 32)))))
            (local.set $v (i64.load offset=24 (local.get $p)))
            (local.set $k (i64.xor (local.get $v) (i64.load offset=24 (local.get $s))))
            (local.set $a2 (i64.add (local.get $a2) (local.get $v)))
            (local.set $a3 (i64.add (local.get $a3)
              (i64.mul (i64.and (local.get $k) (i64.const 0xffffffff)) (i64.shr_u (local.get $k) (i64.const 32)))))
            (local.set $v (i64.load offset=32 (local.get $p)))
            (local.set $k (i64.xor (local.get $v) (i64.load offset=32 (local.get $s))))
            (local.set $a5 (i64.add (local.get $a5) (local.get $v)))
            (local.set $a4 (i64.add (local.get $a4)
              (i64.mul (i64.and (local.get $k) (i64.const 0xffffffff)) (i64.shr_u (local.get $k) (i64.const 32)))))
            (local.set $v (i64.load offset=40 (local.get $p)))
            (local.set $k (i64.xor (local.get $v) (i64.load offset=40 (local.get $s))))
            (local.set $a4 (i64.add (local.get $a4) (local.get $v)))
            (local.set $a5 (i64.add (local.get $a5)
              (i64.mul (i64.and (local.get $k) (i64.const 0xffffffff)) (i64.shr_u (local.get $k) (i64.const 32)))))
            (local.set $v (i64.load offset=48 (local.get $p)))
            (local.set $k (i64.xor (local.get $v) (i64.load offset=48 (local.get $s))))
            (local.set $a7 (i64.add (local.get $a7) (local.get $v)))
            (local.set $a6 (i64.add (local.get $a6)
              (i64.mul (i64.and (local.get $k) (i64.const 0xffffffff)) (i64.shr_u (local.get $k) (i64.const 32)))))
            (local.set $v (i64.load offset=56 (local.get $p)))
            (local.set $k (i64.xor (local.get $v) (i64.load offset=56 (local.get $s))))
            (local.set $a6 (i64.add (local.get $a6) (local.get $v)))
            (local.set $a7 (i64.add (local.get $a7)
              (i64.mul (i64.and (local.get $k) (i64.const 0xffffffff)) (i64.shr_u (local.get $k) (i64.const 32)))))
      (if (i32.and (i32.lt_u (local.get $i) (local.get $full)) (i32.eq (i32.and (local.get $i) (i32.const 15)) (i32.const 15)))
        (then
              (local.set $a0 (i64.mul (i64.xor (i64.xor (local.get $a0) (i64.shr_u (local.get $a0) (i64.const 47)))
                (i64.load offset=128 (i32.const 0))) (i64.const 0x9e3779b1)))
              (local.set $a1 (i64.mul (i64.xor (i64.xor (local.get $a1) (i64.shr_u (local.get $a1) (i64.const 47)))
                (i64.load offset=136 (i32.const 0))) (i64.const 0x9e3779b1)))
              (local.set $a2 (i64.mul (i64.xor (i64.xor (local.get $a2) (i64.shr_u (local.get $a2) (i64.const 47)))
                (i64.load offset=144 (i32.const 0))) (i64.const 0x9e3779b1)))
              (local.set $a3 (i64.mul (i64.xor (i64.xor (local.get $a3) (i64.shr_u (local.get $a3) (i64.const 47)))
                (i64.load offset=152 (i32.const 0))) (i64.const 0x9e3779b1)))
              (local.set $a4 (i64.mul (i64.xor (i64.xor (local.get $a4) (i64.shr_u (local.get $a4) (i64.const 47)))
                (i64.load offset=160 (i32.const 0))) (i64.const 0x9e3779b1)))
              (local.set $a5 (i64.mul (i64.xor (i64.xor (local.get $a5) (i64.shr_u (local.get $a5) (i64.const 47)))
                (i64.load offset=168 (i32.const 0))) (i64.const 0x9e3779b1)))
              (local.set $a6 (i64.mul (i64.xor (i64.xor (local.get $a6) (i64.shr_u (local.get $a6) (i64.const 47)))
                (i64.load offset=176 (i32.const 0))) (i64.const 0x9e3779b1)))
              (local.set $a7 (i64.mul (i64.xor (i64.xor (local.get $a7) (i64.shr_u (local.get $a7) (i64.const 47)))
                (i64.load offset=184 (i32.const 0))) (i64.const 0x9e3779b1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $stripes (i32.le_u (local.get $i) (local.get $regular))))
    (local.set $result (i64.mul (i64.extend_i32_u (local.get $len)) (i64.const 0x9e3779b185ebca87)))
    (local.set $result (i64.add (local.get $result) (call $mulFold
      (i64.xor (local.get $a0) (i64.load offset=11 (i32.const 0))) (i64.xor (local.get $a1) (i64.load offset=19 (i32.const 0))))))
    (local.set $result (i64.add (local.get $result) (call $mulFold
      (i64.xor (local.get $a2) (i64.load offset=27 (i32.const 0))) (i64.xor (local.get $a3) (i64.load offset=35 (i32.const 0))))))
    (local.set $result (i64.add (local.get $result) (call $mulFold
      (i64.xor (local.get $a4) (i64.load offset=43 (i32.const 0))) (i64.xor (local.get $a5) (i64.load offset=51 (i32.const 0))))))
    (local.set $result (i64.add (local.get $result) (call $mulFold
      (i64.xor (local.get $a6) (i64.load offset=59 (i32.const 0))) (i64.xor (local.get $a7) (i64.load offset=67 (i32.const 0))))))
    (call $avalanche (local.get $result)))

  ;; XXH3-64 (seed 0) of len bytes at p.
  (func $xxh3 (export "xxh3") (param $p i32) (param $len i32) (result i64)
    (if (i32.le_u (local.get $len) (i32.const 16)) (then (return (call $upTo16 (local.get $p) (local.get $len)))))
    (if (i32.le_u (local.get $len) (i32.const 128)) (then (return (call $upTo128 (local.get $p) (local.get $len)))))
    (if (i32.le_u (local.get $len) (i32.const 240)) (then (return (call $upTo240 (local.get $p) (local.get $len)))))
    (call $long (local.get $p) (local.get $len)))

  ;; The checksum of each of `count` messages back to back at `run` (message i ends at the u32 `ends[i]`,
  ;; relative to `run`): XXH3 of its bytes after the 8-byte checksum field, stored as u64 at `out + 8 i`.
  (func (export "checksums") (param $run i32) (param $ends i32) (param $count i32) (param $out i32)
    (local $start i32) (local $end i32) (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $end (i32.load (i32.add (local.get $ends) (i32.shl (local.get $i) (i32.const 2)))))
        (i64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
          (call $xxh3 (i32.add (i32.add (local.get $run) (local.get $start)) (i32.const 8))
            (i32.sub (i32.sub (local.get $end) (local.get $start)) (i32.const 8))))
        (local.set $start (local.get $end))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
)
