#!/usr/bin/env bash
# Measures the cost of authorising one request with the on-chain keeper verifier: EIP-191
# signature recovery plus a cached verdict, and an uncached check against a local anvil node.
# Writes docs/benchmarks/keeper-verifier.md. (Not exec.args: the test-servers exec step would take them too.) All traffic stays on 127.0.0.1; the run is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test-servers/install.sh
mvn -B -q -DskipTests install -pl brizo-verifier-keeper -am
mvn -B -q -pl brizo-verifier-keeper test-compile org.codehaus.mojo:exec-maven-plugin:java \
  -Dexec.classpathScope=test \
  -Dexec.mainClass=io.brizo.verifier.keeper.KeeperVerifierBenchmark \
  -Dbrizo.bench.out="$PWD/docs/benchmarks/keeper-verifier.md"
echo "wrote docs/benchmarks/keeper-verifier.md"
