package io.brizo.internal.compute.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeAlgorithm;
import io.brizo.spi.ErrorKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandTableTest {
    private static final Path ALGORITHM = Path.of("/jobs/j1/transformations/algorithm");

    private static ComputeAlgorithm algorithm(String image, String entrypoint) {
        return new ComputeAlgorithm(null, new ComputeAlgorithm.Code("code", null), image, null, null, entrypoint);
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
                t.commandLine(algorithm("python", "python $ALGO"), ALGORITHM));
        assertEquals(
                List.of("node", ALGORITHM.toString(), "--input=" + ALGORITHM),
                t.commandLine(algorithm("node", "  node   $ALGO\t--input=$ALGO "), ALGORITHM));
    }

    @Test
    void theConsumerCannotChooseTheProgramOnlyItsArguments() {
        assertEquals(
                List.of("python3", "-rf", ALGORITHM.toString()),
                table("python=python3").commandLine(algorithm("python", "/bin/rm -rf $ALGO"), ALGORITHM));
    }

    @Test
    void aCommandMayCarryArguments() {
        assertEquals(
                List.of("python3", "-u", ALGORITHM.toString()),
                table(" python = python3 -u , ").commandLine(algorithm("python", "python $ALGO"), ALGORITHM));
    }

    @Test
    void anUnknownImageIsRefusedNamingTheKnownOnes() {
        BrizoException e = assertThrows(BrizoException.class, () -> table("python=python3,sh=/bin/sh")
                .commandLine(algorithm("ruby", "ruby $ALGO"), ALGORITHM));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
        assertTrue(e.getMessage().contains("'ruby'") && e.getMessage().contains("python, sh"), e.getMessage());
    }

    @Test
    void aBlankEntrypointIsRefused() {
        BrizoException e = assertThrows(
                BrizoException.class, () -> table("sh=/bin/sh").commandLine(algorithm("sh", "  "), ALGORITHM));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
    }

    @Test
    void malformedTablesAreRejected() {
        for (String text : List.of("", " , ", "python", "=python3", "python=", "py thon=python3", "python= ")) {
            assertEquals(Optional.empty(), CommandTable.parse(text), text);
        }
    }
}
