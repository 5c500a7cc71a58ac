// `npm run test:package` (a step of .ci/run): the package as a user installs it. Not part of `npm test`, whose glob in
// package.json leaves test/package out: it packs, and installs into an empty folder through npm (--prefer-offline).
export default {
  extensions: { ts: "commonjs" },
  nodeArguments: ["--require=tsx/cjs"],
  workerThreads: false,
  files: ["test/package/**/*.test.ts"],
  timeout: "10m",
  concurrency: 1,
};
