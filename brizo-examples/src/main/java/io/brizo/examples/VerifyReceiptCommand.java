package io.brizo.examples;

import io.brizo.internal.compute.receipt.ReceiptVerifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The {@code verify-receipt} command: checks a compute job's receipt as any client can, without
 * trusting the publisher that served it.
 *
 * <p>{@code verify-receipt FILE [--provider 0x...] [--outputs DIR] [--log FILE]} recomputes
 * keccak256 over the RFC 8785 bytes of the statement in {@code FILE} (the file's own {@code hash}
 * is only compared), recovers the EIP-191 signer of that hash and compares it with the provider
 * the statement names and, when given, with {@code --provider}; with {@code --outputs DIR} it
 * recomputes the SHA-256 of every output subject ({@code outputs/<name>}) from {@code DIR/<name>},
 * with {@code --log FILE} that of the log. Exit 0 when every check passes, 1 with a one-line
 * reason when one fails, 2 for bad arguments.
 */
final class VerifyReceiptCommand {
    static final String USAGE = "usage: verify-receipt FILE [--provider 0x...] [--outputs DIR] [--log FILE]";
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    private VerifyReceiptCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        String file = null;
        String provider = null;
        Path outputs = null;
        Path log = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                help(out);
                return 0;
            }
            if (a.equals("--provider") || a.equals("--outputs") || a.equals("--log")) {
                if (i + 1 >= args.length) {
                    err.println(a + " needs a value; " + USAGE);
                    return 2;
                }
                String v = args[++i];
                switch (a) {
                    case "--provider" -> provider = v;
                    case "--outputs" -> outputs = Path.of(v);
                    default -> log = Path.of(v);
                }
            } else if (a.startsWith("--") || file != null) {
                err.println("unexpected argument " + a + "; " + USAGE);
                return 2;
            } else {
                file = a;
            }
        }
        if (file == null) {
            err.println(USAGE + "   (--help explains)");
            return 2;
        }
        if (provider != null && !ADDRESS.matcher(provider).matches()) {
            err.println("--provider must be 0x and 40 hex digits");
            return 2;
        }
        if (outputs != null && !Files.isDirectory(outputs)) {
            err.println("--outputs " + outputs + " is not a folder");
            return 2;
        }
        byte[] receipt;
        try {
            receipt = Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            err.println("cannot read " + file + ": " + e.getClass().getSimpleName());
            return 2;
        }
        try {
            ReceiptVerifier.Verified v = ReceiptVerifier.verify(receipt, provider);
            out.println("hash: " + v.hash() + " (recomputed from the statement's RFC 8785 bytes)");
            out.println("signature: signed by " + v.signer()
                    + (provider != null
                            ? ", the provider given"
                            : ", the provider the statement names (pass --provider to pin it)"));
            out.println("job: " + v.statement().at("/predicate/jobId").asText() + " "
                    + v.statement().at("/predicate/state").asText() + ", "
                    + v.subjects().size() + " subject(s)");
            if (outputs != null || log != null) {
                int checked = ReceiptVerifier.checkFiles(v, outputs, log);
                out.println("files: " + checked + " of " + v.subjects().size() + " subject(s) match their sha256"
                        + (outputs == null ? " (outputs not checked: pass --outputs DIR)" : "")
                        + (log == null ? " (log not checked: pass --log FILE)" : ""));
            } else {
                out.println("files: not checked (pass --outputs DIR and --log FILE)");
            }
            out.println("receipt verified");
            return 0;
        } catch (ReceiptVerifier.Invalid e) {
            err.println("receipt NOT verified: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("receipt NOT verified: a file cannot be read ("
                    + e.getClass().getSimpleName() + ")");
            return 1;
        }
    }

    private static void help(PrintStream out) {
        out.println(USAGE);
        out.println();
        out.println("Checks a compute job's receipt (GET /api/v1/brizo/services/compute/receipt):");
        out.println("  - recomputes keccak256 over the RFC 8785 bytes of its statement (the file's hash is");
        out.println("    only compared) and recovers the EIP-191 signer of that hash;");
        out.println("  - the signer must be the provider the statement names and, with --provider, that one;");
        out.println("  --outputs DIR  each output subject outputs/<name> must match DIR/<name> (sha256);");
        out.println("  --log FILE     the log subject must match FILE (sha256).");
        out.println("Exit 0 when every check passes, 1 with a one-line reason when one fails, 2 for bad arguments.");
    }
}
