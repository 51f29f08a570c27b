package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * rebound-bom pins exactly the published modules (those that build -sources and -javadoc jars), at the
 * project's version, and pins nothing else.
 */
class BomTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize()
            .getParent();

    @Test
    void theBomPinsEveryPublishedModuleAtTheProjectsVersionAndNothingElse() throws IOException {
        String root = Files.readString(ROOT.resolve("pom.xml"));
        List<String> published = new ArrayList<>();
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(root);
        while (module.find()) {
            String pom = Files.readString(ROOT.resolve(module.group(1)).resolve("pom.xml"));
            if (pom.contains("<artifactId>maven-javadoc-plugin</artifactId>")) {
                Matcher id = Pattern.compile("</parent>\\s*<artifactId>([^<]+)</artifactId>").matcher(pom);
                assertThat(id.find()).as(module.group(1)).isTrue();
                published.add(id.group(1));
            }
        }
        assertThat(published).contains("rebound-annotations", "rebound-runtime", "rebound-weaver",
                "rebound-model-server");

        String bom = Files.readString(ROOT.resolve("bom/pom.xml"));
        assertThat(bom).doesNotContain("<parent>");
        String version = DocsSnippetTest.buildProperties().get("project.version");
        assertThat(bom).contains("<artifactId>rebound-bom</artifactId>\n  <version>" + version + "</version>");
        List<String> pinned = new ArrayList<>();
        Matcher dependency = Pattern.compile(
                "<groupId>dev.rebound</groupId>\\s*<artifactId>([^<]+)</artifactId>\\s*<version>\\$\\{project.version}</version>")
                .matcher(bom);
        while (dependency.find()) {
            pinned.add(dependency.group(1));
        }
        assertThat(pinned).containsExactlyInAnyOrderElementsOf(published);
        assertThat(bom.split("<dependency>", -1)).hasSize(published.size() + 1);
    }
}
