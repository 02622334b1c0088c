// EPUBCheck on many EPUBs in one Java virtual machine, through EPUBCheck's public Java API
// (com.adobe.epubcheck.api). Its command line takes one EPUB per run, and starting the JVM is most
// of a short run's time: `make check` over a folder of articles pays that start once here.
//
// usage: java -cp <this class's folder>:epubcheck.jar EpubcheckBatch REPORT_FILE EPUB...
// Writes one JSON object per line to REPORT_FILE, one per EPUB, in the order given:
//   {"file": EPUB, "messages": [{"ID", "severity", "message", "locations": [{"path", "line"}]}]}
// the shape of the command line's own `--json` messages, or {"file": EPUB, "error": text} when
// EPUBCheck itself failed on that file (the others are still checked).
// `pubpipe validators` compiles this file with javac 17 into .tools/jvm/ (pubpipe.runtime.jvm_start).

import com.adobe.epubcheck.api.EPUBLocation;
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.api.MasterReport;
import com.adobe.epubcheck.messages.Message;
import com.adobe.epubcheck.util.FeatureEnum;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

public final class EpubcheckBatch {

  /** Every message EPUBCheck reports on one EPUB, kept in the order it reports them. */
  record Reported(String id, String severity, String text, String path, int line) {}

  static final class Collected extends MasterReport {
    final List<Reported> messages = new ArrayList<>();

    @Override
    public void message(Message message, EPUBLocation location, Object... arguments) {
      String path = location == null || location.getPath() == null ? "" : location.getPath();
      int line = location == null ? -1 : location.getLine();
      messages.add(new Reported(message.getID().toString(), message.getSeverity().name(),
          message.getMessage(arguments), path, line));
    }

    @Override
    public void info(String resource, FeatureEnum feature, String value) {}

    @Override
    public int generate() {
      return 0;
    }

    @Override
    public void initialize() {}
  }

  public static void main(String[] arguments) throws IOException {
    if (arguments.length < 1) {
      System.err.println("usage: EpubcheckBatch REPORT_FILE EPUB...");
      System.exit(2);
    }
    JsonFactory json = new JsonFactory();
    try (OutputStream out = new FileOutputStream(arguments[0])) {
      for (int index = 1; index < arguments.length; index++) {
        out.write(check(json, arguments[index]).getBytes("UTF-8"));
        out.write('\n');
        out.flush();
      }
    }
  }

  static String check(JsonFactory json, String epub) throws IOException {
    StringWriter text = new StringWriter();
    try (JsonGenerator line = json.createGenerator(text)) {
      line.writeStartObject();
      line.writeStringField("file", epub);
      Collected report = new Collected();
      report.setLocale(Locale.ENGLISH);
      report.setEpubFileName(epub);
      try {
        EpubCheck checker = new EpubCheck(new File(epub), report);
        checker.setLocale(Locale.ENGLISH);
        checker.doValidate();
      } catch (RuntimeException | Error failure) {
        line.writeStringField("error", String.valueOf(failure));
        line.writeEndObject();
        line.flush();
        return text.toString();
      }
      line.writeArrayFieldStart("messages");
      for (Reported message : report.messages) {
        line.writeStartObject();
        line.writeStringField("ID", message.id());
        line.writeStringField("severity", message.severity());
        line.writeStringField("message", message.text());
        line.writeArrayFieldStart("locations");
        line.writeStartObject();
        line.writeStringField("path", message.path());
        line.writeNumberField("line", message.line());
        line.writeEndObject();
        line.writeEndArray();
        line.writeEndObject();
      }
      line.writeEndArray();
      line.writeEndObject();
    }
    return text.toString();
  }
}
