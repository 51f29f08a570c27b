package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.annotations.Retry;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.weaver.aspectj.ResilientMethods;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.aspectj.bridge.IMessage;
import org.aspectj.bridge.MessageHandler;
import org.aspectj.lang.JoinPoint;
import org.aspectj.tools.ajc.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the weaver rejects at build time: ajc run on purpose-broken sources, as the Maven plugin runs it. */
class BuildErrorTest {

    @TempDir
    Path dir;

    private List<String> compileErrors(String className, String source) throws IOException {
        Path file = dir.resolve(className + ".java");
        Files.writeString(file, source);
        String classpath = Stream.of(Retry.class, Policies.class, JoinPoint.class, ResilientMethods.class)
                .map(BuildErrorTest::location).collect(Collectors.joining(File.pathSeparator));
        MessageHandler messages = new MessageHandler();
        new Main().run(new String[] {"-17", "-classpath", classpath, "-aspectpath", location(ResilientMethods.class),
            "-d", dir.resolve("out").toString(), file.toString()}, messages);
        return Arrays.stream(messages.getMessages(IMessage.ERROR, true)).map(IMessage::getMessage).toList();
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anAnnotatedNonPublicMethodIsABuildError() throws IOException {
        List<String> errors = compileErrors("Hidden", """
                public class Hidden {
                    @dev.rebound.annotations.Retry(attempts = 3)
                    String call() { return "x"; }
                }
                """);

        assertThat(errors).containsExactly(
                "Rebound: @Retry, @Fallback and @CircuitBreaker apply to public methods only (java.lang.String Hidden.call())");
    }

    @Test
    void anAnnotatedStaticMethodIsABuildError() throws IOException {
        List<String> errors = compileErrors("Util", """
                public class Util {
                    @dev.rebound.annotations.Fallback(to = Object.class)
                    public static String call() { return "x"; }
                }
                """);

        assertThat(errors).containsExactly(
                "Rebound: @Retry, @Fallback and @CircuitBreaker apply to instance methods only (java.lang.String Util.call())");
    }

    @Test
    void aCorrectClassCompiles() throws IOException {
        assertThat(compileErrors("Fine", """
                public class Fine {
                    @dev.rebound.annotations.Retry(attempts = 3)
                    public String call() { return "x"; }
                }
                """)).isEmpty();
    }
}
