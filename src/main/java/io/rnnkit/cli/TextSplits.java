package io.rnnkit.cli;

import io.rnnkit.data.BrownSplits.LanguageModelSplits;
import io.rnnkit.data.BrownSplits.TokenStream;
import io.rnnkit.data.Example;
import io.rnnkit.data.PlainTextReader;
import io.rnnkit.data.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Language-model splits of a plain text file: 80 % of the tokens train, 10 % validate. */
final class TextSplits {
  private TextSplits() {}

  static LanguageModelSplits of(Path file) throws IOException {
    List<Example> documents = new PlainTextReader(new Tokenizer(false), false).read(file);
    List<String> tokens = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    for (Example document : documents) {
      starts.add(tokens.size());
      tokens.addAll(document.tokens());
    }
    int trainEnd = (int) (tokens.size() * 0.8);
    int validationEnd = (int) (tokens.size() * 0.9);
    if (trainEnd < 2 || validationEnd - trainEnd < 2 || tokens.size() - validationEnd < 2) {
      throw new IllegalArgumentException(
          file
              + " has "
              + tokens.size()
              + " tokens, too few to split 80/10/10 for a language"
              + " model; pass a larger text");
    }
    TokenStream stream =
        new TokenStream(tokens, starts.stream().mapToInt(Integer::intValue).toArray());
    return LanguageModelSplits.cut(stream, trainEnd, validationEnd);
  }
}
