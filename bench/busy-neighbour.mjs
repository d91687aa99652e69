// A neighbour on a shared host, for `LOOPWRIGHT_BENCH_BUSY=<0..1>`: burns that share of one core in
// 100 ms slices until it is killed.
const duty = Math.min(1, Math.max(0, Number(process.argv[2]) || 0));
setInterval(() => {
  const end = Date.now() + 100 * duty;
  while (Date.now() < end);
}, 100);
