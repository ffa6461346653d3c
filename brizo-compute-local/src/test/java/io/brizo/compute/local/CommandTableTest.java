package io.brizo.compute.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeAlgorithm;
import io.brizo.spi.ErrorKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandTableTest {
    private static final Path ALGORITHM = Path.of("/jobs/j1/transformations/algorithm");
    private static final String PATH = "/usr/bin:/bin";

    private static ComputeAlgorithm algorithm(String image, String entrypoint) {
        return new ComputeAlgorithm(
                null, new ComputeAlgorithm.Code("code", null), new AlgorithmContainer(image, null, null, entrypoint));
    }

    private static CommandTable table(String text) {
        return CommandTable.parse(text).orElseThrow();
    }

    @Test
    void theEntrypointsFirstWordIsReplacedByTheImagesCommandAndAlgoByThePath() {
        CommandTable t = table("python=python3,node=node");
        assertEquals(List.of("node", "python"), t.images());
        assertEquals(
                List.of("python3", ALGORITHM.toString()),
                t.commandLine(algorithm("python", "python $ALGO"), ALGORITHM, PATH));
        assertEquals(
                List.of("node", ALGORITHM.toString(), "--input=" + ALGORITHM),
                t.commandLine(algorithm("node", "  node   $ALGO\t--input=$ALGO "), ALGORITHM, PATH));
    }

    @Test
    void theConsumerCannotChooseTheProgramOnlyItsArguments() {
        assertEquals(
                List.of("python3", "-rf", ALGORITHM.toString()),
                table("python=python3").commandLine(algorithm("python", "/bin/rm -rf $ALGO"), ALGORITHM, PATH));
    }

    @Test
    void aCommandMayCarryArguments() {
        assertEquals(
                List.of("python3", "-u", ALGORITHM.toString()),
                table(" python = python3 -u , ").commandLine(algorithm("python", "python $ALGO"), ALGORITHM, PATH));
    }

    @Test
    void anUnknownImageIsRefusedNamingTheKnownOnes() {
        BrizoException e = assertThrows(BrizoException.class, () -> table("python=python3,sh=/bin/sh")
                .commandLine(algorithm("ruby", "ruby $ALGO"), ALGORITHM, PATH));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
        assertTrue(e.getMessage().contains("'ruby'") && e.getMessage().contains("python, sh"), e.getMessage());
    }

    @Test
    void aBlankEntrypointCannotBeDescribed() {
        assertThrows(IllegalArgumentException.class, () -> algorithm("sh", "  "));
    }

    @Test
    void aDigestPinMustNameTheRuntimeTheImageMapsTo() throws Exception {
        CommandTable t = table("sh=/bin/sh,shell=sh");
        String sh = "sha256:"
                + HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256")
                                .digest(Files.readAllBytes(Path.of("/bin/sh").toRealPath())));
        assertEquals(Optional.of(sh), t.runtimeDigest("sh", PATH));
        assertEquals(Optional.of(sh), t.runtimeDigest("shell", PATH), "a bare command is found on the PATH");
        ComputeAlgorithm pinned = new ComputeAlgorithm(
                null, new ComputeAlgorithm.Code("code", null), new AlgorithmContainer("sh", null, sh, "sh $ALGO"));
        assertEquals(List.of("/bin/sh", ALGORITHM.toString()), t.commandLine(pinned, ALGORITHM, PATH));

        String other = "sha256:" + "0".repeat(64);
        ComputeAlgorithm wrong = new ComputeAlgorithm(
                null, new ComputeAlgorithm.Code("code", null), new AlgorithmContainer("sh", null, other, "sh $ALGO"));
        BrizoException e = assertThrows(BrizoException.class, () -> t.commandLine(wrong, ALGORITHM, PATH));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
        assertTrue(e.getMessage().contains(other) && e.getMessage().contains(sh), e.getMessage());
        assertFalse(e.getMessage().contains("/bin"), "no server path: " + e.getMessage());
    }

    @Test
    void aPinnedImageWhoseRuntimeIsMissingIsRefused() {
        ComputeAlgorithm pinned = new ComputeAlgorithm(
                null,
                new ComputeAlgorithm.Code("code", null),
                new AlgorithmContainer("ghost", null, "sha256:" + "1".repeat(64), "ghost $ALGO"));
        BrizoException e = assertThrows(
                BrizoException.class, () -> table("ghost=no-such-runtime-here").commandLine(pinned, ALGORITHM, PATH));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
    }

    @Test
    void malformedTablesAreRejected() {
        for (String text : List.of("", " , ", "python", "=python3", "python=", "py thon=python3", "python= ")) {
            assertEquals(Optional.empty(), CommandTable.parse(text), text);
        }
    }
}
