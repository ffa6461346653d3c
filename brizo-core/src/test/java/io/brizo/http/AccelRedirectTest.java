package io.brizo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How BRIZO_ACCEL_REDIRECT is read, and the internal URIs it makes of real paths. */
class AccelRedirectTest {
    static final String KEY = "k".repeat(16);

    @TempDir
    Path dir;

    AccelRedirect of(String mapping, String key) {
        Settings.Builder s = Settings.builder();
        if (mapping != null) {
            s.put("BRIZO_ACCEL_REDIRECT", mapping);
        }
        if (key != null) {
            s.put("BRIZO_ACCEL_REDIRECT_KEY", key);
        }
        return AccelRedirect.of(s.build()).orElse(null);
    }

    @Test
    void unsetMeansNoHandOver() {
        assertEquals(null, of(null, null));
    }

    @Test
    void eachSegmentBelowTheDirectoryIsPercentEncodedUnderItsPrefix() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        AccelRedirect accel = of(data + "=/_brizo/files", KEY);
        Path file = Files.createDirectories(data.resolve("a b%c")).resolve("ü?#.bin");
        assertEquals(
                Optional.of("/_brizo/files/a%20b%25c/%C3%BC%3F%23.bin"),
                accel.target(file.getParent().toRealPath().resolve(file.getFileName())));
        assertEquals(
                Optional.of("/_brizo/files/plain-1.2_~x"),
                accel.target(data.toRealPath().resolve("plain-1.2_~x")));
    }

    @Test
    void aFileOutsideEveryDirectoryOrTheDirectoryItselfIsNotHandedOver() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path other = Files.createDirectories(dir.resolve("data-other"));
        AccelRedirect accel = of(data + "=/a/," + other + "=/b/", KEY);
        assertEquals(Optional.of("/b/x"), accel.target(other.toRealPath().resolve("x")));
        assertEquals(Optional.empty(), accel.target(dir.toRealPath().resolve("x")));
        assertEquals(Optional.empty(), accel.target(data.toRealPath()));
    }

    @Test
    void aDirectoryGivenThroughASymbolicLinkMatchesTheRealPathsOfItsFiles() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), data);
        AccelRedirect accel = of(link + "=/f/", KEY);
        assertEquals(Optional.of("/f/x.bin"), accel.target(data.toRealPath().resolve("x.bin")));
    }

    @Test
    void malformedSettingsStopTheStartNamingTheSettingButNotTheKey() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        String secret = "s3cret-but-short";
        List<Map.Entry<String, String>> bad = List.of(
                Map.entry(data + "=/f/", "short"),
                Map.entry(data + "=/f/", ""),
                Map.entry("/f/", KEY),
                Map.entry(data + "=f/", KEY),
                Map.entry(data + "=/f/../g/", KEY),
                Map.entry("relative/dir=/f/", KEY),
                Map.entry(dir.resolve("missing") + "=/f/", KEY));
        for (Map.Entry<String, String> b : bad) {
            BrizoException e = assertThrows(BrizoException.class, () -> of(b.getKey(), b.getValue()), b::toString);
            assertEquals(ErrorKind.CONFIGURATION, e.kind());
            assertTrue(e.getMessage().contains("BRIZO_ACCEL_REDIRECT"), e.getMessage());
        }
        BrizoException keyAlone = assertThrows(BrizoException.class, () -> of(null, secret + "-long-enough"));
        assertTrue(keyAlone.getMessage().contains("BRIZO_ACCEL_REDIRECT_KEY"), keyAlone.getMessage());
        assertFalse(keyAlone.getMessage().contains(secret), keyAlone.getMessage());
        BrizoException shortKey = assertThrows(BrizoException.class, () -> of(data + "=/f/", secret.substring(0, 8)));
        assertFalse(shortKey.getMessage().contains(secret.substring(0, 8)), shortKey.getMessage());
    }

    @Test
    void onlyARequestCarryingTheExactKeyIsTrusted() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        AccelRedirect accel = of(data + "=/f/", KEY);
        assertTrue(accel.trusts(request(Map.of("X-Brizo-Accel-Key", List.of(KEY)))));
        assertFalse(accel.trusts(request(Map.of())));
        assertFalse(accel.trusts(request(Map.of("X-Brizo-Accel-Key", List.of(KEY + "x")))));
        assertFalse(accel.trusts(request(Map.of("X-Brizo-Accel-Key", List.of(KEY.substring(1))))));
        assertFalse(accel.trusts(request(Map.of("X-Brizo-Accel-Key", List.of("")))));
    }

    static HttpRequest request(Map<String, List<String>> headers) {
        return new HttpRequest("GET", "/", null, headers, InputStream.nullInputStream());
    }
}
