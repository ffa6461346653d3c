import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.stream.IntStream;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * Pre-signs consume requests in the nonce form for bench/replicas.sh, since wrk cannot sign:
 * {@code java -cp brizo-examples.jar bench/SignNonces.java DIR DID THREADS CONSUMERS RUNS LINES}.
 *
 * <p>Writes {@code DIR/grants.json} (one agreement per consumer, all on DID) and, for each run r
 * and wrk thread t, {@code DIR/run-r-t.txt}: LINES request paths, each with a nonce used nowhere
 * else. Each wrk thread has its own CONSUMERS consumers and line i uses consumer i mod CONSUMERS,
 * so a consumer's next request comes CONSUMERS requests of the same thread later: long after its
 * previous one has been answered, which keeps each consumer's nonces arriving in increasing order
 * (the store accepts only a nonce greater than the consumer's last) whatever the concurrency.
 * Nonces grow with the run and the line, so the runs can follow each other on one server.
 *
 * <p>The keys are derived from a fixed seed, so the files are the same on every machine; they
 * only ever sign for these local test servers.
 */
public final class SignNonces {
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: SignNonces DIR DID THREADS CONSUMERS RUNS LINES");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        String did = args[1];
        int threads = Integer.parseInt(args[2]);
        int consumers = Integer.parseInt(args[3]);
        int runs = Integer.parseInt(args[4]);
        int lines = Integer.parseInt(args[5]);

        int total = threads * consumers;
        ECKeyPair[] keys = new ECKeyPair[total];
        String[] addresses = new String[total];
        String[] agreements = new String[total];
        IntStream.range(0, total).parallel().forEach(c -> {
            keys[c] = ECKeyPair.create(new BigInteger(1, sha256("brizo-bench-consumer-" + c)));
            addresses[c] = "0x" + Keys.getAddress(keys[c]);
            agreements[c] = HexFormat.of().formatHex(sha256("brizo-bench-agreement-" + c));
        });
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("grants.json"))) {
            w.write("[\n");
            for (int c = 0; c < total; c++) {
                w.write("{\"agreementId\": \"" + agreements[c] + "\", \"did\": \"" + did + "\", \"consumer\": \""
                        + addresses[c] + "\", \"service\": \"access\"}" + (c + 1 < total ? ",\n" : "\n"));
            }
            w.write("]\n");
        }
        selfCheck(keys[0], agreements[0]);
        long started = System.nanoTime();
        for (int r = 0; r < runs; r++) {
            int run = r;
            IntStream.range(0, threads).parallel().forEach(t -> {
                String[] out = new String[lines];
                IntStream.range(0, lines).parallel().forEach(i -> {
                    int c = t * consumers + i % consumers;
                    long nonce = (long) run * lines + i + 1;
                    out[i] = "/api/v1/brizo/services/consume?serviceAgreementId=" + agreements[c]
                            + "&consumerAddress=" + addresses[c] + "&signature="
                            + sign(keys[c], agreements[c], nonce) + "&nonce=" + nonce + "&index=0";
                });
                try {
                    Files.write(dir.resolve("run-" + run + "-" + t + ".txt"), java.util.List.of(out));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        System.err.printf(
                "signed %d requests in %.1f s%n", (long) runs * threads * lines, (System.nanoTime() - started) / 1e9);
    }

    private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256k1");
    private static final BigInteger N = CURVE.getN();
    private static final FixedPointCombMultiplier MULTIPLIER = new FixedPointCombMultiplier();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] PREFIX = "\u0019Ethereum Signed Message:\n32".getBytes(StandardCharsets.UTF_8);

    /**
     * The nonce form's signature: EIP-191 personal sign of keccak256(agreement id + nonce), as
     * web3j's {@code Sign.signPrefixedMessage} makes it, but about 5 times faster: web3j finds v
     * by trying public key recoveries, this takes it from the parity of the random point's y.
     */
    static String sign(ECKeyPair key, String agreement, long nonce) {
        byte[] message = Hash.sha3((agreement + nonce).getBytes(StandardCharsets.UTF_8));
        byte[] prefixed = new byte[PREFIX.length + message.length];
        System.arraycopy(PREFIX, 0, prefixed, 0, PREFIX.length);
        System.arraycopy(message, 0, prefixed, PREFIX.length, message.length);
        BigInteger z = new BigInteger(1, Hash.sha3(prefixed));
        while (true) {
            BigInteger k = new BigInteger(256, RANDOM);
            if (k.signum() == 0 || k.compareTo(N) >= 0) {
                continue;
            }
            ECPoint point = MULTIPLIER.multiply(CURVE.getG(), k).normalize();
            BigInteger x = point.getAffineXCoord().toBigInteger();
            BigInteger r = x.mod(N);
            if (r.signum() == 0 || !x.equals(r)) {
                continue; // x beyond n (odds about 2^-128) would need recovery ids 2 and 3
            }
            BigInteger s = k.modInverse(N).multiply(z.add(r.multiply(key.getPrivateKey()))).mod(N);
            if (s.signum() == 0) {
                continue;
            }
            int recId = point.getAffineYCoord().testBitZero() ? 1 : 0;
            if (s.compareTo(N.shiftRight(1)) > 0) { // low s, as Ethereum requires: negates the point
                s = N.subtract(s);
                recId ^= 1;
            }
            byte[] sig = new byte[65];
            System.arraycopy(Numeric.toBytesPadded(r, 32), 0, sig, 0, 32);
            System.arraycopy(Numeric.toBytesPadded(s, 32), 0, sig, 32, 32);
            sig[64] = (byte) (27 + recId);
            return "0x" + HexFormat.of().formatHex(sig);
        }
    }

    /** Checks {@link #sign} against web3j: the signature must recover the signer's key. */
    static void selfCheck(ECKeyPair key, String agreement) throws Exception {
        for (long nonce = 1; nonce <= 20; nonce++) {
            byte[] sig = HexFormat.of().parseHex(sign(key, agreement, nonce).substring(2));
            Sign.SignatureData data = new Sign.SignatureData(
                    sig[64], java.util.Arrays.copyOfRange(sig, 0, 32), java.util.Arrays.copyOfRange(sig, 32, 64));
            BigInteger recovered = Sign.signedPrefixedMessageToKey(
                    Hash.sha3((agreement + nonce).getBytes(StandardCharsets.UTF_8)), data);
            if (!recovered.equals(key.getPublicKey())) {
                throw new IllegalStateException("a signature does not recover its signer's key");
            }
        }
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
