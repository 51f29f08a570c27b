package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.seed.OneModel;
import dev.rebound.it.seed.RetryAndFallback;
import dev.rebound.ltw.app.Chat;
import dev.rebound.weaver.guice.ReboundModule;
import org.junit.jupiter.api.Test;

/** Under the agent: classes ajc wove, and Guice with ReboundModule, still apply a policy once. */
class ExactlyOnceTest extends VirtualClock {

    @Test
    void aClassWovenByAjcAndLoadedUnderTheAgentRetriesThreeTimesNotNine() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        OneModel.Gpt4 llm = new OneModel.Gpt4();

        catchThrowable(() -> llm.invoke("x"));

        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3");
    }

    @Test
    void aClassWovenByTheAgentAndProvidedByGuiceAppliesItsPolicyOnceThroughTheInjector() {
        FakeLlm.failFirst("primary", Integer.MAX_VALUE);
        FakeLlm.failFirst("backup", 1);
        Chat chat = chatFromInjector();

        String answer = chat.chat("hi");

        // the injector's subclass applies the policy (alternatives from the injector); the woven advice steps aside
        assertThat(chat.getClass().getSuperclass()).isSameAs(Chat.Primary.class);
        assertThat(answer).isEqualTo("backup: hi");
        assertThat(FakeLlm.calls()).containsExactly("primary #1", "primary #2", "primary #3", "backup #1",
                "backup #2");
    }

    @Test
    void aClassWovenByAjcProvidedByGuiceWithReboundModuleAppliesItsPolicyOnce() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5", 1);
        RetryAndFallback.Llm llm = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(RetryAndFallback.Llm.class).to(RetryAndFallback.Gpt4.class);
            }
        }).getInstance(RetryAndFallback.Llm.class);

        String answer = llm.invoke("x");

        assertThat(llm.getClass().getSuperclass()).isSameAs(RetryAndFallback.Gpt4.class); // once, by the injector
        assertThat(answer).isEqualTo("gpt-3.5: x");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-3.5 #1", "gpt-3.5 #2");
    }
}
