package dev.rebound.it.woven;

import dev.rebound.it.plain.Scripted;
import java.io.IOException;

/** {@link Scripted}'s primary, woven by ajc: its policies are the interface's, applied by the aspect. */
public class WovenScripted extends Scripted.Primary {

    @Override
    public String chat(String prompt) throws IOException {
        return Scripted.play("primary", prompt, PRIMARY, next);
    }

    @Override
    public String jittered(String prompt) throws IOException {
        return Scripted.play("primary", prompt, PRIMARY, next);
    }
}
