#pragma once
// The executed pipeline schedule of one training step, drawn like the DualPipe
// schedule figure: one row per pipeline rank, one block per instruction,
// coloured by kind (F, B, W, full backward BW, overlapped F&B drawn half F and
// half B), micro-batch numbers inside the blocks, and the step-boundary DP sync
// and optimizer at the end. It draws the StepTimeline that `moesim run --trace`
// exports as a Chrome trace, so the two always agree.
//
// A des run (RunResult::des_step) is drawn as its simulated step instead:
// per rank the tracks `moesim run --fidelity des --trace` writes, compute
// (each task in its instruction's colour, the optimizer step at the end),
// EP/TP communication, pipeline sends and DP collectives, so what overlaps
// and what is exposed shows.
//
// Zoom: the wheel zooms around the cursor (shift+wheel scrolls), dragging pans,
// zoom_in()/zoom_out()/fit() for buttons. Hovering a block shows its times.
// render() draws the whole step, fitted to a width, for PNG export.

#include <QAbstractScrollArea>
#include <QColor>
#include <QImage>
#include <array>
#include <vector>

#include "gui/run_controller.h"
#include "sim/step/des_trace.h"

namespace moesim::gui {

class TimelineWidget : public QAbstractScrollArea {
  Q_OBJECT
 public:
  explicit TimelineWidget(QWidget* parent = nullptr);

  void set_result(RunResultPtr r);
  // Pixels per second of step time.
  double zoom() const { return zoom_; }
  void set_zoom(double px_per_s, double anchor_x = 0);
  void zoom_in();
  void zoom_out();
  void fit();

  // The colour of an instruction kind, for the legend. `reverse`: the second
  // direction of a bidirectional schedule (DualPipe), drawn lighter.
  static QColor color(InstructionKind op, bool reverse = false);

  // Des runs: the rows drawn per rank (compute, communication, pipeline
  // send, DP sync); 1 otherwise.
  int tracks_per_rank() const;
  // The number of blocks drawn on rank `rank`'s track `track` (tests).
  size_t span_count(int rank, DesTrack track) const;
  // The whole step fitted into `width` pixels, every rank, without scroll
  // bars: the timeline as an image (PNG export).
  QImage render(int width) const;

 protected:
  void paintEvent(QPaintEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  bool viewportEvent(QEvent* e) override;
  QSize sizeHint() const override;

 private:
  struct Geometry;  // the drawing's scale and scroll, from the widget or for render()
  void draw(QPainter& p, const Geometry& g) const;
  void draw_schedule(QPainter& p, const Geometry& g) const;
  void draw_des(QPainter& p, const Geometry& g) const;
  Geometry view_geometry() const;
  int rank_height() const;
  double step_seconds() const;
  double x_of(double t) const;  // viewport x of time t
  double t_of(double x) const;
  void update_scrollbars();
  QString tooltip_at(const QPoint& p) const;

  RunResultPtr result_;
  // Des runs: [rank][track] -> the track's spans by start time.
  std::vector<std::array<std::vector<DesSpan>, kDesTracks>> des_rows_;
  double zoom_ = 100;   // px per second
  bool fitted_ = true;  // keep fitting on resize until the user zooms
  int drag_x_ = 0;
  int drag_scroll_ = 0;
};

}  // namespace moesim::gui
