package dev.rebound.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hints JMH gives every fork ({@code META-INF/CompilerHints}, written by its annotation processor) name every
 * method the suite keeps out of line or inlines, not only those of the woven package: ajc compiles that package after
 * javac and must not run the processors again, which would rewrite the file from that package alone.
 */
class CompilerHintsTest {

    @Test
    void theSubjectsTheFloorsAndTheClosureRunStayOutOfLineAndTheBenchmarkMethodsAreInlined() throws Exception {
        List<String> hints;
        try (InputStream in = CompilerHintsTest.class.getResourceAsStream("/META-INF/CompilerHints")) {
            hints = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        assertThat(hints).contains(
                "dontinline,dev/rebound/benchmarks/Subjects$Healthy.chat",
                "dontinline,dev/rebound/benchmarks/Subjects$FailsOnce.chat",
                "dontinline,dev/rebound/benchmarks/Subjects$Down.chat",
                "dontinline,dev/rebound/benchmarks/Subjects$Backup.chat",
                "dontinline,dev/rebound/benchmarks/BackupModel.chat",
                "dontinline,dev/rebound/benchmarks/Floors$Forward.invoke",
                "dontinline,dev/rebound/benchmarks/Floors$Proceed.invoke",
                "dontinline,dev/rebound/benchmarks/ClosureRun.run",
                "inline,dev/rebound/benchmarks/Contenders.reboundWoven",
                "inline,dev/rebound/benchmarks/Contenders.resilience4j");
    }
}
