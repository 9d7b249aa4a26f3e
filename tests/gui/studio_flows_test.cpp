// The studio's remaining flows of issue 18: a sweep point opened with a
// header that names what it changes, applied to the scenario or left with
// Back, and its exported report carrying every changed value; errors at the
// field the user changed; FP8 dispatch shown off under bf16; the des
// timeline's communication tracks and its PNG without buttons; form labels
// on sweep axes; a measured trace set beside the simulated pair.
#include <QCheckBox>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "gui/results_view.h"
#include "gui/scenario_document.h"
#include "gui/sweep_controller.h"
#include "gui/sweep_table_model.h"
#include "gui/sweep_view.h"
#include "gui/timeline_widget.h"
#include "gui/trace_compare_view.h"
#include "tests/gui/gui_test_support.h"

namespace moesim::gui::test {

namespace {

QString read_all(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

bool write_all(const QString& path, const char* text) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(text) >= 0;
}

// Runs the window's scenario and waits for its results.
RunResultPtr run_and_wait(StudioWindow& w, int timeout_ms = 30000) {
  QSignalSpy shown(&w, &StudioWindow::results_shown);
  w.run();
  if (!shown.wait(timeout_ms)) return nullptr;
  return shown.takeFirst().at(0).value<RunResultPtr>();
}

}  // namespace

class StudioFlowsTest : public QObject {
  Q_OBJECT
 private slots:
  void aSweepPointSaysWhatItChangesAndAppliesOrGoesBack() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    const RunResultPtr own = run_and_wait(w);
    QVERIFY(own && own->ok);
    QVERIFY(!w.viewing_sweep_point());

    SweepView* s = w.sweep();
    s->set_parameter(0, "/plan/ep", "32, 64");
    s->set_second_enabled(false);
    QSignalSpy done(s->controller(), &SweepController::finished);
    QVERIFY(s->start());
    QVERIFY(done.wait(60000));
    // The axes and the table use the form's labels, not JSON pointers.
    QCOMPARE(s->model()->headerData(2, Qt::Horizontal, Qt::DisplayRole).toString(),
             QString("EP (experts)"));
    QVERIFY(s->chart()->chart()->title().contains("EP (experts)"));

    QSignalSpy shown(&w, &StudioWindow::results_shown);
    s->open_row(0);  // ep 32
    QVERIFY(shown.wait(20000));
    QVERIFY(w.viewing_sweep_point());
    QVERIFY2(w.point_header().contains("sweep point 0"), qPrintable(w.point_header()));
    QVERIFY2(w.point_header().contains(QString("EP (experts) 64 \u2192 32")),
             qPrintable(w.point_header()));
    // The editor still holds the scenario.
    QCOMPARE(w.document()->value("/plan/ep"), OrderedJson(64));

    // Exports describe the point under its own title with every change.
    QTemporaryDir tmp;
    const QString md = tmp.filePath("point.md");
    QCOMPARE(w.export_report(ReportFormat::kMarkdown, md), QString());
    const QString text = read_all(md);
    QVERIFY2(text.startsWith("# DeepSeek-V3 pre-training, 2048 x H800 (sweep point 0)"),
             qPrintable(text.left(200)));
    QVERIFY2(text.contains("| EP (experts) | `/plan/ep` | 64 | 32 |"), qPrintable(text.left(900)));
    const QString txt = tmp.filePath("point.txt");
    QCOMPARE(w.export_report(ReportFormat::kText, txt), QString());
    const QString plain = read_all(txt);
    QVERIFY2(plain.startsWith("DeepSeek-V3 pre-training, 2048 x H800 (sweep point 0)\n"),
             qPrintable(plain.left(200)));
    QVERIFY2(plain.contains("sweep point 0 of ") &&
                 plain.contains("  EP (experts) (/plan/ep)  64 -> 32\n"),
             qPrintable(plain.left(600)));
    const QString js = tmp.filePath("point.json");
    QCOMPARE(w.export_report(ReportFormat::kJson, js), QString());
    const QJsonObject point = QJsonDocument::fromJson(read_all(js).toUtf8()).object()["sweep_point"].toObject();
    QCOMPARE(point["index"].toInt(), 0);
    // The JSON report keeps the scenario's own name; the object says which point.
    QCOMPARE(QJsonDocument::fromJson(read_all(js).toUtf8()).object()["scenario"].toString(),
             QString("DeepSeek-V3 pre-training, 2048 x H800"));
    QVERIFY(point["base"].toString().endsWith("deepseek-v3-pretrain-2048xH800.json"));
    const QJsonArray changes = point["changes"].toArray();
    QCOMPARE(changes.size(), 1);
    QCOMPARE(changes[0].toObject()["path"].toString(), QString("/plan/ep"));
    QCOMPARE(changes[0].toObject()["from"].toInt(), 64);
    QCOMPARE(changes[0].toObject()["to"].toInt(), 32);

    // Back: the scenario's own results again, no run needed.
    w.back_to_scenario();
    QVERIFY(!w.viewing_sweep_point());
    QCOMPARE(w.results()->result(), own);

    // Apply: the point's values go into the editor as one undo step.
    s->open_row(0);
    QVERIFY(shown.wait(20000));
    QVERIFY(w.viewing_sweep_point());
    QSignalSpy rerun(&w, &StudioWindow::results_shown);
    w.apply_sweep_point();
    QCOMPARE(w.document()->value("/plan/ep"), OrderedJson(32));
    QVERIFY(w.document()->modified());
    QVERIFY(rerun.wait(20000));
    QVERIFY(!w.viewing_sweep_point());
    QCOMPARE(w.results()->result()->scenario.plan.ep, 32);
    w.document()->undo();
    QCOMPARE(w.document()->value("/plan/ep"), OrderedJson(64));
    QVERIFY(!w.document()->modified());
  }

  // What a point changes: its parameters and what they derive (DP under
  // derive_dp), and an array that changes length as the whole array.
  void aPointsChangesIncludeDerivedValuesAndWholeArrays() {
    ScenarioDocument doc;
    QVERIFY(doc.load(kHeadline));
    const SweepSpecPtr nodes = make_sweep_spec(doc.inlined(), doc.file(), doc.base_dir(),
                                               {{"/cluster/nodes", {128}}}, true);
    const std::vector<ChangedValue> c = point_changes(*nodes, 0);
    QCOMPARE(c.size(), size_t{2});
    QCOMPARE(c[0].pointer, std::string("/cluster/nodes"));
    QCOMPARE(c[1].pointer, std::string("/plan/dp"));
    QCOMPARE(c[1].before.get<int>(), 128);
    QCOMPARE(c[1].after.get<int>(), 64);
    OrderedJson base = doc.inlined();
    base["plan"]["stage_layers"] = {4, 4, 4};
    const SweepSpecPtr layers = make_sweep_spec(
        base, doc.file(), doc.base_dir(), {{"/plan/stage_layers", {nlohmann::json{6, 6}}}}, false);
    const std::vector<ChangedValue> a = point_changes(*layers, 0);
    QCOMPARE(a.size(), size_t{1});
    QCOMPARE(a[0].pointer, std::string("/plan/stage_layers"));
    QCOMPARE(a[0].before, (nlohmann::json{4, 4, 4}));
    QCOMPARE(a[0].after, (nlohmann::json{6, 6}));
  }

  void anErrorShowsAtTheFieldThatCausedIt() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    // DP typed: "ep 64 does not divide dp x tp x cp" is about DP now.
    type_into(w, "/plan/dp", "30");
    QVERIFY2(w.form()->error_text("/plan/dp").contains("does not divide dp x tp x cp = 30"),
             qPrintable(w.form()->error_text("/plan/dp")));
    QVERIFY2(w.form()->error_text("/plan/ep").isEmpty(), qPrintable(w.form()->error_text("/plan/ep")));
    // The GPU count is DP's doing too.
    QVERIFY(w.form()->error_text("/plan/dp").contains("GPUs, but the cluster has"));
    // EP typed: the same rule is EP's.
    QVERIFY(w.open_scenario(kHeadline));
    type_into(w, "/plan/ep", "48");
    QVERIFY(w.form()->error_text("/plan/ep").contains("does not divide dp x tp x cp"));
    QVERIFY(w.form()->error_text("/plan/dp").isEmpty());
    // From the JSON view: the diff of the text says what changed.
    QVERIFY(w.open_scenario(kHeadline));
    QString t = w.document()->text();
    t.replace("\"dp\": 128", "\"dp\": 30");
    w.document()->set_text(t);
    QVERIFY(w.form()->error_text("/plan/dp").contains("does not divide"));
    QVERIFY(w.form()->error_text("/plan/ep").isEmpty());
    // Typing through a syntax error still names what changed since the last JSON.
    QVERIFY(w.open_scenario(kHeadline));
    QString broken = w.document()->text();
    broken.replace("\"dp\": 128", "\"dp\": ");
    w.document()->set_text(broken);
    QVERIFY(!w.document()->text_is_json());
    w.document()->set_text(t);
    QVERIFY(w.form()->error_text("/plan/dp").contains("does not divide"));
    QVERIFY(w.form()->error_text("/plan/ep").isEmpty());
  }

  void fp8DispatchIsShownOffUnderBf16() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    auto* box = qobject_cast<QCheckBox*>(w.form()->editor("/precision/fp8_dispatch"));
    auto* kind = qobject_cast<QComboBox*>(w.form()->editor("/precision/kind"));
    QVERIFY(box && kind);
    QVERIFY(box->isChecked() && box->isEnabled());
    kind->setCurrentText("bf16");
    emit kind->activated(kind->currentIndex());
    QCOMPARE(w.document()->value("/precision/kind"), OrderedJson("bf16"));
    QVERIFY(!box->isChecked());
    QVERIFY(!box->isEnabled());
    // The file keeps its value for a switch back.
    QCOMPARE(w.document()->value("/precision/fp8_dispatch"), OrderedJson(true));
    kind->setCurrentText("fp8");
    emit kind->activated(kind->currentIndex());
    QVERIFY(box->isChecked() && box->isEnabled());
  }

  void theDesTimelineHasCommunicationTracksAndExportsWithoutButtons() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    w.set_des(true);  // runs at once
    QSignalSpy shown(&w, &StudioWindow::results_shown);
    QVERIFY(shown.wait(60000));
    const RunResultPtr r = shown.takeFirst().at(0).value<RunResultPtr>();
    QVERIFY(r->ok && r->des_step);
    TimelineWidget* t = w.timeline();
    QCOMPARE(t->tracks_per_rank(), 4);
    for (int rank : {0, 15}) {
      QVERIFY(t->span_count(rank, DesTrack::kCompute) > 100);
      QVERIFY(t->span_count(rank, DesTrack::kCommunication) > 100);
      QVERIFY(t->span_count(rank, DesTrack::kPipelineSend) > 10);
      QVERIFY(t->span_count(rank, DesTrack::kDpSync) >= 2);
    }
    QTemporaryDir tmp;
    const QString png = tmp.filePath("timeline.png");
    QCOMPARE(w.export_chart("timeline", png), QString());
    const QImage img(png);
    QVERIFY(img.width() >= 1200);
    QCOMPARE(img.size(), t->render(img.width()).size());  // the drawing alone, every rank
    const QString trace = tmp.filePath("step.trace.json");
    QCOMPARE(w.export_trace(trace), QString());
    QVERIFY(read_all(trace).contains("rank 0 pipeline send"));
    // Back to analytic: one row per rank.
    w.set_des(false);
    QVERIFY(shown.wait(30000));
    QCOMPARE(t->tracks_per_rank(), 1);
  }

  void aMeasuredTraceIsSetBesideTheSimulatedPair() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    TraceCompareView* v = w.trace_compare();
    QSignalSpy shown(v, &TraceCompareView::comparison_shown);
    QVERIFY(v->compare("validation/traces/deepseek-v3-train-chunkpair-h800.json.gz"));
    QVERIFY(shown.wait(60000));
    QVERIFY2(shown.takeFirst().at(0).toBool(), qPrintable(v->message()));
    const TraceComparisonPtr c = v->comparison();
    QVERIFY(!c->timeline.measured.empty());
    QCOMPARE(c->timeline.simulated.size(), size_t{3});
    QCOMPARE(v->table()->rowCount(), static_cast<int>(c->pair.stages.size()) + 1);
    QVERIFY(v->message().contains("Span per layer pair"));
    // A user's kernel map goes first, as compare-trace --map; a bad one is
    // named with its JSON path.
    QTemporaryDir tmp;
    const QString good = tmp.filePath("mine.json"), bad = tmp.filePath("bad.json");
    // (no raw string literals here: moc reads this file)
    QVERIFY(write_all(good, "{\"format\": \"moesim-kernel-map-1\", \"kernels\": "
                            "[{\"match\": \"^never_seen_kernel$\", \"class\": \"gemm\"}]}"));
    QVERIFY(write_all(bad, "{\"format\": \"moesim-kernel-map-1\", \"kernels\": "
                           "[{\"match\": \"(\", \"class\": \"gemm\"}]}"));
    v->set_kernel_map(good);  // compares again at once
    QVERIFY(shown.wait(60000));
    QVERIFY2(shown.takeFirst().at(0).toBool(), qPrintable(v->message()));
    v->set_kernel_map(bad);
    QVERIFY(shown.wait(60000));
    QVERIFY(!shown.takeFirst().at(0).toBool());
    QVERIFY2(v->message().contains("bad.json") && v->message().contains("/kernels/0/match"),
             qPrintable(v->message()));
    v->set_kernel_map("");  // back to the shipped map: compares again
    QVERIFY(shown.wait(60000));
    QVERIFY(shown.takeFirst().at(0).toBool());
    // A file that is not a trace: the library's message, no crash.
    QVERIFY(v->compare("scenarios/deepseek-v3-pretrain-2048xH800.json"));
    QVERIFY(shown.wait(60000));
    QVERIFY(!shown.takeFirst().at(0).toBool());
    QVERIFY2(v->message().contains("deepseek-v3-pretrain-2048xH800.json"), qPrintable(v->message()));
  }
};

int run_studio_flows_tests(int argc, char** argv) {
  StudioFlowsTest t;
  return QTest::qExec(&t, argc, argv);
}

}  // namespace moesim::gui::test

#include "studio_flows_test.moc"
