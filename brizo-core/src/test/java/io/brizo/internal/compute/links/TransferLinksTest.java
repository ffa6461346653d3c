package io.brizo.internal.compute.links;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TransferLinksTest {
    static final URI LOCATION = URI.create("file:///srv/data/secret-name.csv");

    /** A clock the test moves by hand. */
    static final class HandClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void peekShowsALinkWithoutUsingItUpUntilItExpires() {
        HandClock clock = new HandClock();
        TransferLinks links = new TransferLinks(clock, 10);
        String token = links.create(LOCATION, Duration.ofMinutes(1));
        assertEquals(Optional.of(LOCATION), links.peek(token));
        assertEquals(Optional.of(LOCATION), links.peek(token));
        assertEquals(Optional.of(LOCATION), links.consume(token), "peeking left the link unused");
        assertEquals(Optional.empty(), links.peek(token), "a used link shows nothing");
        String later = links.create(LOCATION, Duration.ofMinutes(1));
        clock.now = clock.now.plus(Duration.ofMinutes(1));
        assertEquals(Optional.empty(), links.peek(later), "an expired link shows nothing");
        assertEquals(Optional.empty(), links.peek("not a token"));
        assertEquals(Optional.empty(), links.peek(null));
    }

    @Test
    void aTokenIsUrlSafeCarriesAtLeast128BitsAndNeverRepeats() {
        TransferLinks links = new TransferLinks();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String token = links.create(LOCATION, Duration.ofMinutes(1));
            assertTrue(token.matches("[A-Za-z0-9_-]{43,}"), token);
            assertTrue(seen.add(token));
            assertTrue(!token.contains("secret"));
            assertTrue(
                    !new String(
                                    java.util.Base64.getUrlDecoder().decode(token),
                                    java.nio.charset.StandardCharsets.ISO_8859_1)
                            .contains("secret"),
                    "the location is encrypted");
        }
    }

    @Test
    void aTokenReadsItsLocationOnceAndNeverAgain() {
        TransferLinks links = new TransferLinks();
        String token = links.create(LOCATION, Duration.ofMinutes(1));
        assertEquals(Optional.of(LOCATION), links.consume(token));
        assertEquals(Optional.empty(), links.consume(token));
    }

    @Test
    void ofManyConcurrentConsumersOfOneTokenExactlyOneGetsTheLocation() throws Exception {
        TransferLinks links = new TransferLinks();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            for (int round = 0; round < 50; round++) {
                String token = links.create(LOCATION, Duration.ofMinutes(1));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Optional<URI>>> results = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    results.add(pool.submit(() -> {
                        go.await();
                        return links.consume(token);
                    }));
                }
                go.countDown();
                int winners = 0;
                for (Future<Optional<URI>> f : results) {
                    winners += f.get(10, TimeUnit.SECONDS).isPresent() ? 1 : 0;
                }
                assertEquals(1, winners, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTokenPastItsLifetimeReadsNothing() {
        HandClock clock = new HandClock();
        TransferLinks links = new TransferLinks(clock, 10);
        String early = links.create(LOCATION, Duration.ofSeconds(30));
        String late = links.create(LOCATION, Duration.ofSeconds(30));
        clock.now = clock.now.plusSeconds(29);
        assertEquals(Optional.of(LOCATION), links.consume(early));
        clock.now = clock.now.plusSeconds(1);
        assertEquals(Optional.empty(), links.consume(late));
    }

    @Test
    void unknownAndMalformedTokensReadNothing() {
        TransferLinks links = new TransferLinks();
        links.create(LOCATION, Duration.ofMinutes(1));
        assertEquals(Optional.empty(), links.consume("A".repeat(43)));
        assertEquals(Optional.empty(), links.consume("../../etc/passwd"));
        assertEquals(Optional.empty(), links.consume(""));
        assertEquals(Optional.empty(), links.consume(null));
    }

    @Test
    void aFullLedgerPurgesExpiredEntriesAndOtherwiseRefusesRetryably() {
        HandClock clock = new HandClock();
        TransferLinks links = new TransferLinks(clock, 2);
        links.consume(links.create(LOCATION, Duration.ofSeconds(10)));
        links.reserveUpload(links.createUpload(PREFIX, Duration.ofSeconds(60), 10), 1);
        String third = links.create(LOCATION, Duration.ofSeconds(60));
        BrizoException full = assertThrows(BrizoException.class, () -> links.consume(third));
        assertEquals(ErrorKind.UNAVAILABLE, full.kind());
        assertTrue(full.retryable());
        clock.now = clock.now.plusSeconds(10);
        assertEquals(Optional.of(LOCATION), links.consume(third), "the expired entry was purged; not redeemed before");
        assertEquals(Optional.empty(), links.consume(third));
        // making links takes no room: they are sealed tokens
        for (int i = 0; i < 100; i++) {
            links.create(LOCATION, Duration.ofSeconds(10));
        }
    }

    static final URI PREFIX = URI.create("file:///srv/out/job-1/");

    @Test
    void anUploadTokenWritesUnderItsPrefixUntilItExpires() {
        HandClock clock = new HandClock();
        TransferLinks links = new TransferLinks(clock, 10);
        String token = links.createUpload(PREFIX, Duration.ofMinutes(10), 100);
        assertEquals(Optional.of(PREFIX), links.reserveUpload(token, 10));
        assertEquals(Optional.of(PREFIX), links.reserveUpload(token, 10), "an upload token is not single-use");
        assertEquals(Optional.empty(), links.consume(token), "an upload token reads nothing");
        assertEquals(Optional.of(PREFIX), links.reserveUpload(token, 1));
        clock.now = clock.now.plus(Duration.ofMinutes(10));
        assertEquals(Optional.empty(), links.reserveUpload(token, 1));
    }

    @Test
    void aDownloadTokenUploadsNothing() {
        TransferLinks links = new TransferLinks();
        String token = links.create(LOCATION, Duration.ofMinutes(1));
        assertEquals(Optional.empty(), links.reserveUpload(token, 1));
        assertEquals(Optional.of(LOCATION), links.consume(token));
    }

    @Test
    void anUploadTokenRefusesBytesBeyondItsAllowanceAndGetsBackWhatFailedUploadsTook() {
        TransferLinks links = new TransferLinks();
        String token = links.createUpload(PREFIX, Duration.ofMinutes(1), 100);
        links.reserveUpload(token, 60);
        BrizoException e = assertThrows(BrizoException.class, () -> links.reserveUpload(token, 41));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
        assertTrue(e.getMessage().contains("40 left"), e.getMessage());
        links.releaseUpload(token, 60);
        assertEquals(Optional.of(PREFIX), links.reserveUpload(token, 100));
    }

    @Test
    void anUploadTokenRefusesMoreThanItsFileCount() {
        TransferLinks links = new TransferLinks();
        String token = links.createUpload(PREFIX, Duration.ofMinutes(1), Long.MAX_VALUE);
        for (int i = 0; i < TransferLinks.MAX_UPLOAD_FILES; i++) {
            links.reserveUpload(token, 0);
        }
        BrizoException e = assertThrows(BrizoException.class, () -> links.reserveUpload(token, 0));
        assertTrue(e.getMessage().contains("at most " + TransferLinks.MAX_UPLOAD_FILES + " files"), e.getMessage());
    }

    @Test
    void concurrentUploadsNeverTakeMoreThanTheAllowance() throws Exception {
        TransferLinks links = new TransferLinks();
        String token = links.createUpload(PREFIX, Duration.ofMinutes(1), 1000);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        return links.reserveUpload(token, 100).isPresent();
                    } catch (BrizoException e) {
                        return false;
                    }
                }));
            }
            go.countDown();
            int granted = 0;
            for (Future<Boolean> f : results) {
                granted += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(10, granted);
        } finally {
            pool.shutdownNow();
        }
    }

    static byte[] key(int b) {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) b);
        return k;
    }

    @Test
    void anotherInstanceWithTheSameKeysOpensATokenAndTheLedgerKeepsItSingleUse() {
        io.brizo.auth.LinkLedger ledger = io.brizo.auth.LinkLedger.inMemory(10);
        TransferLinks one = new TransferLinks(LinkKeys.of(List.of(key(1))), ledger, Clock.systemUTC());
        TransferLinks two = new TransferLinks(LinkKeys.of(List.of(key(1))), ledger, Clock.systemUTC());
        String token = one.create(LOCATION, Duration.ofMinutes(1));
        assertEquals(Optional.of(LOCATION), two.peek(token));
        assertEquals(Optional.of(LOCATION), two.consume(token));
        assertEquals(Optional.empty(), one.consume(token));
        TransferLinks foreign = new TransferLinks(LinkKeys.of(List.of(key(2))), ledger, Clock.systemUTC());
        assertEquals(Optional.empty(), foreign.peek(one.create(LOCATION, Duration.ofMinutes(1))));
    }

    @Test
    void keyRotationOpensTokensOfTheSecondKeyUntilItIsRemoved() {
        io.brizo.auth.LinkLedger ledger = io.brizo.auth.LinkLedger.inMemory(10);
        TransferLinks old = new TransferLinks(LinkKeys.of(List.of(key(1))), ledger, Clock.systemUTC());
        TransferLinks rotated = new TransferLinks(LinkKeys.of(List.of(key(2), key(1))), ledger, Clock.systemUTC());
        TransferLinks removed = new TransferLinks(LinkKeys.of(List.of(key(2))), ledger, Clock.systemUTC());
        String token = old.create(LOCATION, Duration.ofMinutes(1));
        assertEquals(Optional.of(LOCATION), rotated.peek(token));
        assertEquals(Optional.empty(), removed.peek(token));
        String fresh = rotated.create(LOCATION, Duration.ofMinutes(1));
        assertEquals(Optional.of(LOCATION), removed.peek(fresh), "the first key seals");
        assertEquals(Optional.empty(), old.peek(fresh));
    }

    @Test
    void aTamperedTokenOpensNothing() {
        TransferLinks links = new TransferLinks();
        String token = links.create(LOCATION, Duration.ofMinutes(1));
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            String tampered = token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1);
            assertEquals(Optional.empty(), links.peek(tampered), "position " + i);
        }
        assertEquals(Optional.empty(), links.consume(token.substring(0, token.length() - 1)));
        assertEquals(Optional.empty(), links.consume(token + "A"));
        String upload = links.createUpload(PREFIX, Duration.ofMinutes(1), 10);
        assertEquals(Optional.empty(), links.consume(upload), "an upload token is no download token");
        assertEquals(Optional.of(LOCATION), links.consume(token));
    }

    @Test
    void keysAreReadFromTheSettingAsBase64OrHexAndMalformedOnesFailNamingTheSetting() {
        String b64 = java.util.Base64.getEncoder().encodeToString(key(1));
        String hex = java.util.HexFormat.of().formatHex(key(2));
        LinkKeys keys = LinkKeys.from(io.brizo.spi.Settings.builder()
                        .put(LinkKeys.SETTING, b64 + ", " + hex)
                        .build())
                .orElseThrow();
        io.brizo.auth.LinkLedger ledger = io.brizo.auth.LinkLedger.inMemory(10);
        String token = new TransferLinks(LinkKeys.of(List.of(key(2))), ledger, Clock.systemUTC())
                .create(LOCATION, Duration.ofMinutes(1));
        assertEquals(Optional.of(LOCATION), new TransferLinks(keys, ledger, Clock.systemUTC()).peek(token));
        for (String bad :
                new String[] {"short", b64 + ",", java.util.Base64.getEncoder().encodeToString(new byte[16])}) {
            BrizoException e = assertThrows(
                    BrizoException.class,
                    () -> LinkKeys.from(io.brizo.spi.Settings.builder()
                            .put(LinkKeys.SETTING, bad)
                            .build()));
            assertEquals(ErrorKind.CONFIGURATION, e.kind());
            assertTrue(e.getMessage().contains(LinkKeys.SETTING), e.getMessage());
            assertTrue(!e.getMessage().contains(bad), e.getMessage());
        }
    }
}
