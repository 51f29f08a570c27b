package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.seed.OneModel;
import dev.rebound.ltw.app.Models;
import dev.rebound.ltw.lib.Unlisted;
import org.junit.jupiter.api.Test;

/** Under the agent, with src/test/narrow/META-INF/aop.xml on the class path: only dev.rebound.ltw.app..* is woven. */
class NarrowScopeTest extends VirtualClock {

    @Test
    void theIncludedPackageIsWoven() {
        FakeLlm.failFirst("gpt-4", 2);

        String answer = new Models.Gpt4().invoke("q");

        assertThat(woven(Models.Gpt4.class)).isTrue();
        assertThat(answer).isEqualTo("gpt-4: q");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3");
    }

    @Test
    void aPackageLeftOutStaysPlainItsAnnotationUnapplied() {
        FakeLlm.failFirst("unlisted", 1);

        Throwable thrown = catchThrowable(() -> new Unlisted().fetch("q"));

        assertThat(woven(Unlisted.class)).isFalse();
        assertThat(thrown).isSameAs(FakeLlm.thrown().get(0));
        assertThat(FakeLlm.calls()).containsExactly("unlisted #1");
    }

    @Test
    void classesAjcWoveOutsideTheScopeKeepTheirBuildTimeWeaving() {
        FakeLlm.failFirst("gpt-4", 2);

        new OneModel.Gpt4().invoke("q");

        assertThat(WeaveLog.rewove(OneModel.Gpt4.class)).isFalse();
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3");
    }
}
