// Preload for profiling (`BILLING_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR -r tools/stack/exit-on-signal.js"`):
// ends the process with process.exit on SIGTERM/SIGINT, so that node writes the --cpu-prof file
// (a process that dies by the signal, as Nest's shutdown hooks re-raise it, writes none).
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
