// `npm run test:real`: the tests that run the real tools (`npm run real-tools`). Not part of `npm test`, whose glob in
// package.json leaves test/real out. One file at a time: each starts its own API servers, and those are heavy.
export default {
  extensions: { ts: "commonjs" },
  nodeArguments: ["--require=tsx/cjs"],
  workerThreads: false,
  files: ["test/real/**/*.test.ts"],
  timeout: "10m",
  concurrency: 1,
};
