package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.seed.OneModel;
import dev.rebound.ltw.app.Chat;
import dev.rebound.ltw.app.Models;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The same classes without the agent: javac's classes are plain, ajc's keep their weaving. */
class WithoutAgentTest extends VirtualClock {

    @Test
    void thisJvmHasNoAgent() {
        assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments()).noneMatch(a -> a.startsWith("-javaagent"));
        assertThat(WeaveLog.messages()).isEmpty();
    }

    @Test
    void aJavacClassIsUnwovenAndFailsOnItsFirstAttempt() {
        FakeLlm.failFirst("gpt-4", 2);

        Throwable thrown = catchThrowable(() -> new Models.Gpt4().invoke("q"));

        assertThat(woven(Models.Gpt4.class)).isFalse();
        assertThat(thrown).isSameAs(FakeLlm.thrown().get(0));
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1");
    }

    @Test
    void aClassWovenByAjcStillRetries() {
        FakeLlm.failFirst("gpt-4", 2);

        String answer = new OneModel.Gpt4().invoke("q");

        assertThat(woven(OneModel.Gpt4.class)).isTrue();
        assertThat(answer).isEqualTo("gpt-4: q");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3");
    }

    @Test
    void guiceWithReboundModuleInterceptsTheUnwovenClassInstead() {
        FakeLlm.failFirst("primary", Integer.MAX_VALUE);
        Chat chat = chatFromInjector();

        String answer = chat.chat("hi");

        assertThat(chat.getClass()).isNotSameAs(Chat.Primary.class);
        assertThat(answer).isEqualTo("backup: hi");
        assertThat(FakeLlm.calls()).containsExactly("primary #1", "primary #2", "primary #3", "backup #1");
    }
}
