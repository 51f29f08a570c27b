package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.annotations.Retry;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.weaver.aspectj.ResilientMethods;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.aspectj.lang.JoinPoint;
import org.aspectj.tools.ajc.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small user module compiled by ajc with rebound-weaver as its aspect library, as the README's
 * plugin block does (annotation processing on, no SLF4J provider on the compiler's class path): the
 * build prints nothing but its result, and a class without a policy is left unwoven.
 */
class QuietBuildTest {

    @TempDir
    Path dir;

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path source(String name, String text) throws IOException {
        Path file = dir.resolve("src/app/" + name + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    @Test
    void theReadmesPluginBlockBuildsASmallModuleWithoutAWord() throws Exception {
        List<Path> sources = List.of(
                source("Chat", """
                        package app;
                        import dev.rebound.annotations.Fallback;
                        import dev.rebound.annotations.Retry;
                        public interface Chat {
                            @Retry(attempts = 3)
                            @Fallback(to = Backup.class)
                            String chat(String prompt);
                        }
                        """),
                source("Primary", """
                        package app;
                        public class Primary implements Chat {
                            public String chat(String prompt) { return "primary: " + prompt; }
                        }
                        """),
                source("Backup", """
                        package app;
                        class Backup implements Chat {
                            public String chat(String prompt) { return "backup: " + prompt; }
                        }
                        """),
                source("Plain", """
                        package app;
                        public class Plain implements java.io.Serializable {
                            public String echo(String s) { return s; }
                        }
                        """),
                source("App", """
                        package app;
                        public class App {
                            public static void main(String[] args) {
                                Chat inline = new Chat() { public String chat(String p) { return p; } };
                                System.out.println(new Primary().chat("hi") + inline.chat("!") + new Plain().echo(""));
                            }
                        }
                        """));
        // what a user's build has: the annotations, runtime and weaver jars, AspectJ's runtime, SLF4J's API
        String classpath = Stream.of(Retry.class, Policies.class, ResilientMethods.class, JoinPoint.class,
                org.slf4j.Logger.class).map(QuietBuildTest::location).collect(Collectors.joining(File.pathSeparator));
        List<String> command = Stream.concat(Stream.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", location(Main.class),
                Main.class.getName(), "-17", "-classpath", classpath, "-aspectpath", location(ResilientMethods.class),
                "-d", dir.resolve("out").toString(),
                // the processor's generated Rebound.wrap classes beside the classes, not in the working directory
                "-s", dir.resolve("out").toString()), sources.stream().map(Path::toString)).toList();
        Process ajc = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(ajc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ajc.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(ajc.exitValue()).as(output).isZero();
        assertThat(output).as("ajc's and the processor's output").isEmpty();
        String plain = Files.readString(dir.resolve("out/app/Plain.class"), StandardCharsets.ISO_8859_1);
        assertThat(plain).doesNotContain("ajc$").doesNotContain("dev/rebound");
        String primary = Files.readString(dir.resolve("out/app/Primary.class"), StandardCharsets.ISO_8859_1);
        assertThat(primary).contains("dev/rebound/weaver/Woven");
    }
}
