package dev.rebound.it.woven;

import dev.rebound.it.plain.Scripted;
import java.io.IOException;

/**
 * {@link Scripted}'s primary, woven by ajc: its policies are the interface's, applied by the aspect to
 * its own methods (a woven class may not run a public method inherited from an unwoven one).
 */
public class WovenScripted extends Scripted.Primary {

    @Override
    public String chat(String prompt) throws IOException {
        return super.chat(prompt);
    }

    @Override
    public String jittered(String prompt) throws IOException {
        return super.jittered(prompt);
    }

    @Override
    public String alone(String prompt) throws IOException {
        return super.alone(prompt);
    }
}
