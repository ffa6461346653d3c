import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Writes the deterministic fixture files of KuboCidCrossCheckTest into a folder, so that
 * generate.sh can run Debian's ipfs_cid over them. Run by generate.sh with the JDK's
 * single-file launcher (java KuboFixtureFiles.java DIR); prints "name size sha256" per file.
 *
 * The bytes MUST stay identical to KuboCidCrossCheckTest.content(): the test checks the
 * SHA-256 printed here, recorded next to each CID, against its own copy of the generator.
 */
public class KuboFixtureFiles {
    static final String[] NAMES = {"empty", "hello", "one-chunk", "two-chunks", "five-mib", "two-levels"};
    static final long[] SIZES = {0, 6, 262_144, 262_145, 5L * 1024 * 1024 + 3, 174L * 262_144 + 1};

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        for (int i = 0; i < NAMES.length; i++) {
            byte[] content = content(NAMES[i], (int) SIZES[i]);
            Files.write(dir.resolve(NAMES[i] + ".bin"), content);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            System.out.println(NAMES[i] + " " + content.length + " " + sha);
        }
    }

    /** "hello\n" for hello, otherwise a 32-bit linear congruential sequence (Numerical Recipes). */
    static byte[] content(String name, int size) {
        if (name.equals("hello")) {
            return "hello\n".getBytes(StandardCharsets.US_ASCII);
        }
        byte[] out = new byte[size];
        int x = name.hashCode();
        for (int i = 0; i < size; i++) {
            x = x * 1664525 + 1013904223;
            out[i] = (byte) (x >>> 24);
        }
        return out;
    }
}
