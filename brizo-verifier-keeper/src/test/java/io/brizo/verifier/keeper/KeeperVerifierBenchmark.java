package io.brizo.verifier.keeper;

import io.brizo.auth.NonceStore;
import io.brizo.internal.auth.RequestAuthenticator;
import io.brizo.spi.AgreementClaim;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.ServiceType;
import io.brizo.testkit.TestConsumer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A load harness (not a unit test) for the cost of authorising one request with the keeper
 * verifier: signature recovery plus a cached verdict, and an uncached check against a real local
 * chain. Run by {@code bench/keeper-verifier.sh}; writes its results as Markdown to the path
 * given as the first argument or the {@code brizo.bench.out} system property. Bounded: a fixed number of iterations, all on 127.0.0.1.
 */
public final class KeeperVerifierBenchmark {
    private static final int CACHED_WARMUP = 2_000;
    private static final int CACHED_RUNS = 10_000;
    private static final int CHAIN_WARMUP = 100;
    private static final int CHAIN_RUNS = 500;

    private KeeperVerifierBenchmark() {}

    /** Runs the benchmark and writes the report to {@code args[0]}. */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(
                args.length > 0
                        ? args[0]
                        : System.getProperty("brizo.bench.out", "docs/benchmarks/keeper-verifier.md"));
        try (LocalChain chain = LocalChain.start()) {
            TestConsumer consumer = TestConsumer.random();
            String agreement = KeeperAgreementVerifierTest.randomHex32();
            String did = KeeperAgreementVerifierTest.randomHex32();
            chain.createAgreement(agreement, did, List.of(consumer.address()));
            chain.grantAccess(consumer.address(), did);
            AgreementClaim claim = new AgreementClaim(agreement, consumer.address(), ServiceType.ACCESS);
            String signature = consumer.sign(agreement);
            RequestAuthenticator auth = new RequestAuthenticator(NonceStore.inMemory(), false);

            ServiceAgreementVerifier cached = KeeperAgreementVerifierTest.verifier(
                    KeeperAgreementVerifierTest.settings(chain, chain.rpcUrl()).build());
            long[] cachedNanos = measure(CACHED_WARMUP, CACHED_RUNS, () -> {
                String who = auth.authenticate(consumer.address(), agreement, signature, null);
                require(cached.verify(new AgreementClaim(agreement, who, ServiceType.ACCESS))
                        .isGranted());
            });

            ServiceAgreementVerifier uncached =
                    KeeperAgreementVerifierTest.verifier(KeeperAgreementVerifierTest.settings(chain, chain.rpcUrl())
                            .put("KEEPER_CACHE_TTL", "0")
                            .build());
            long[] chainNanos = measure(
                    CHAIN_WARMUP,
                    CHAIN_RUNS,
                    () -> require(uncached.verify(claim).isGranted()));

            write(out, cachedNanos, chainNanos);
            System.out.printf(
                    Locale.ROOT,
                    "signature + cached verdict: median %.3f ms; uncached chain check: median %.3f ms%n",
                    millis(percentile(cachedNanos, 50)),
                    millis(percentile(chainNanos, 50)));
        }
    }

    private interface Op {
        void run() throws Exception;
    }

    private static long[] measure(int warmup, int runs, Op op) throws Exception {
        for (int i = 0; i < warmup; i++) {
            op.run();
        }
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            op.run();
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static void require(boolean granted) {
        if (!granted) {
            throw new IllegalStateException("the benchmark's agreement was not granted");
        }
    }

    private static long percentile(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }

    private static String row(String what, long[] n, String target) {
        return String.format(
                Locale.ROOT,
                "| %s | %d | %.3f | %.3f | %.3f | %.3f | %s |",
                what,
                n.length,
                millis(percentile(n, 50)),
                millis(percentile(n, 90)),
                millis(percentile(n, 99)),
                millis(n[n.length - 1]),
                target);
    }

    private static void write(Path out, long[] cached, long[] chain) throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name"))
                .findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .orElse("unknown");
        String report = String.join(
                "\n",
                "# Keeper verifier: cost of authorising one request",
                "",
                "Generated by `bench/keeper-verifier.sh` (`KeeperVerifierBenchmark`) on " + Instant.now()
                        + "; re-run it to refresh this file.",
                "",
                "| operation | runs | median (ms) | p90 (ms) | p99 (ms) | max (ms) | target (median) |",
                "|---|---:|---:|---:|---:|---:|---|",
                row("EIP-191 signature recovery + cached keeper verdict", cached, "< 0.5 ms"),
                row("uncached keeper check against the local anvil node", chain, "< 5 ms"),
                "",
                "## Machine",
                "",
                "- cores: " + Runtime.getRuntime().availableProcessors() + "; CPU: " + cpu,
                "- java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                "- JVM arguments: " + ManagementFactory.getRuntimeMXBean().getInputArguments(),
                "",
                "## Method",
                "",
                "- One JVM, one anvil node (`@foundry-rs/anvil` 1.7.1, chain id 1337) on 127.0.0.1, the project's"
                        + " test keeper contracts deployed, one agreement with the consumer as actor and access granted.",
                "- Cached: `RequestAuthenticator.authenticate` (ecrecover of a Brizo-form signature) followed by"
                        + " `KeeperAgreementVerifier.verify` with the default 60 s grant cache; " + CACHED_WARMUP
                        + " warm-up runs, then " + CACHED_RUNS + " timed runs.",
                "- Uncached: `verify` with `KEEPER_CACHE_TTL=0`, so every run asks the chain: `getAgreement`,"
                        + " `DIDRegistry.getPermission`, `eth_getLogs` for `AgreementActorAdded`, `checkPermissions`"
                        + " and the agreement block's timestamp (5 JSON-RPC calls over HTTP); " + CHAIN_WARMUP
                        + " warm-up runs, then " + CHAIN_RUNS + " timed runs.",
                "- Each run is timed with `System.nanoTime()`; percentiles are over the sorted timings.",
                "");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
    }
}
