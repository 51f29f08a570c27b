package dev.rebound.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.options.CommandLineOptions;

class SuiteTest {

    @Test
    void everyForkGetsAFixedHeapTouchedBeforeItsFirstIterationThenTheCommandLinesArgumentsThenSlf4jsProvider()
            throws Exception {
        assertThat(Suite.forkArguments(new CommandLineOptions("HappyPath", "-jvmArgsAppend", "-XX:+PrintCompilation")))
                .containsExactly("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-XX:+UseTransparentHugePages",
                        "-XX:+PrintCompilation", "-Dslf4j.provider=" + ReboundLogger.PROVIDER);
    }

    @Test
    void aHeapTheCommandLineSizesWinsWhereverItIsGiven() throws Exception {
        assertThat(Suite.forkArguments(new CommandLineOptions("-jvmArgsAppend", "-Xmx2g")))
                .containsExactly("-Xmx2g", "-Dslf4j.provider=" + ReboundLogger.PROVIDER);
        assertThat(Suite.forkArguments(new CommandLineOptions("-jvmArgs", "-Xms1g")))
                .containsExactly("-Dslf4j.provider=" + ReboundLogger.PROVIDER);
        assertThat(Suite.forkArguments(new CommandLineOptions("-jvmArgsPrepend", "-XX:-AlwaysPreTouch")))
                .containsExactly("-Dslf4j.provider=" + ReboundLogger.PROVIDER);
    }
}
