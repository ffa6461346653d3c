package io.brizo.examples;

import java.util.Arrays;

/**
 * Entry point of {@code brizo-examples.jar}: {@code demo}, {@code serve}, {@code sign} or {@code
 * verify-receipt}.
 */
public final class Main {
    private Main() {}

    /** Runs the command named by the first argument. */
    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (command) {
            case "demo" -> {
                // The demo explains itself on stdout; keep the library's INFO lines out of the way.
                if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
                    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
                }
                System.exit(Demo.run(System.out));
            }
            case "serve" -> Serve.run(rest);
            case "sign" -> System.exit(SignCommand.run(rest, System.getenv(), System.out, System.err));
            case "verify-receipt" -> System.exit(VerifyReceiptCommand.run(rest, System.out, System.err));
            default -> {
                System.out.println(
                        "usage: java -jar brizo-examples.jar demo | serve [--config FILE] [--help] | sign AGREEMENT_ID"
                                + " | verify-receipt FILE [--provider 0x...] [--outputs DIR] [--log FILE]");
                System.out.println("  demo   runs a consume round trip against an embedded publisher and exits");
                System.out.println(
                        "  serve  runs a publisher on Jetty from BRIZO_* settings (serve --help lists them)");
                System.out.println("  sign   prints '<consumer address> <signature>' for an agreement id (see README)");
                System.out.println(
                        "  verify-receipt  checks a compute job's signed receipt and, given them, its outputs"
                                + " (verify-receipt --help)");
                System.exit("help".equals(command) ? 0 : 2);
            }
        }
    }
}
