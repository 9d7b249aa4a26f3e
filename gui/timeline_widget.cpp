#include "gui/timeline_widget.h"

#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <map>

#include "gui/format.h"
#include "gui/hover_tip.h"

namespace moesim::gui {

namespace {

constexpr int kLeft = 64;  // rank labels
constexpr int kTop = 26;   // time axis
constexpr int kRowH = 26;
constexpr int kRowGap = 4;
constexpr int kRight = 16;
constexpr int kSubRowH = 9;  // des: the communication tracks under a rank's compute

bool bidirectional(ScheduleKind k) {
  return k == ScheduleKind::kDualPipe || k == ScheduleKind::kDualPipeV;
}

// 1, 2, 5 x 10^k seconds: the smallest such step at least `min_s` long.
double nice_step(double min_s) {
  const double p = std::pow(10.0, std::floor(std::log10(min_s)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= min_s) return m * p;
  return 10 * p;
}

}  // namespace

TimelineWidget::TimelineWidget(QWidget* parent) : QAbstractScrollArea(parent) {
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
  viewport()->setMouseTracking(true);
  viewport()->setBackgroundRole(QPalette::Base);
  viewport()->setAutoFillBackground(true);
  connect(horizontalScrollBar(), &QScrollBar::valueChanged, viewport(),
          [this] { viewport()->update(); });
  connect(verticalScrollBar(), &QScrollBar::valueChanged, viewport(),
          [this] { viewport()->update(); });
}

QColor TimelineWidget::color(InstructionKind op, bool reverse) {
  QColor c;
  switch (op) {
    case InstructionKind::kForward:
      c = QColor("#f2b134");
      break;  // amber
    case InstructionKind::kBackwardInput:
      c = QColor("#4a90d9");
      break;  // blue
    case InstructionKind::kBackwardWeight:
      c = QColor("#6cc36c");
      break;  // green
    case InstructionKind::kBackwardFull:
      c = QColor("#2c5f9e");
      break;  // dark blue
    case InstructionKind::kForwardBackward:
      c = QColor("#9b59b6");
      break;  // purple
    case InstructionKind::kOptimizerStep:
      c = QColor("#555555");
      break;
  }
  return reverse ? c.lighter(135) : c;
}

QSize TimelineWidget::sizeHint() const { return {900, 480}; }

struct TimelineWidget::Geometry {
  double zoom;  // px per second
  int hscroll, vscroll;
  int w, h;
  double x_of(double t) const { return kLeft + t * zoom - hscroll; }
  double t_of(double x) const { return (x - kLeft + hscroll) / zoom; }
};

TimelineWidget::Geometry TimelineWidget::view_geometry() const {
  return {zoom_, horizontalScrollBar()->value(), verticalScrollBar()->value(),
          viewport()->width(), viewport()->height()};
}

void TimelineWidget::set_result(RunResultPtr r) {
  result_ = r && r->ok ? std::move(r) : nullptr;
  des_rows_.clear();
  if (result_ && result_->des_step) {
    des_rows_.resize(static_cast<size_t>(result_->timeline.run.ranks));
    for (const DesSpan& sp : des_spans(*result_->des_step))
      if (sp.rank >= 0 && sp.rank < static_cast<int>(des_rows_.size()))
        des_rows_[static_cast<size_t>(sp.rank)][static_cast<size_t>(sp.track)].push_back(sp);
    for (auto& rank : des_rows_)
      for (auto& track : rank)
        std::stable_sort(track.begin(), track.end(),
                         [](const DesSpan& a, const DesSpan& b) { return a.start < b.start; });
  }
  fitted_ = true;
  fit();
}

int TimelineWidget::tracks_per_rank() const { return des_rows_.empty() ? 1 : kDesTracks; }

size_t TimelineWidget::span_count(int rank, DesTrack track) const {
  if (rank < 0 || rank >= static_cast<int>(des_rows_.size())) return 0;
  return des_rows_[static_cast<size_t>(rank)][static_cast<size_t>(track)].size();
}

// Des rows: the compute track as tall as a schedule row, the three
// communication tracks thinner beneath it.
int TimelineWidget::rank_height() const {
  return kRowH + (des_rows_.empty() ? 0 : (kDesTracks - 1) * (kSubRowH + 1)) + kRowGap;
}

double TimelineWidget::step_seconds() const {
  if (!result_) return 1.0;
  const double t = result_->des_step ? seconds(result_->des_step->step_time())
                                     : seconds(result_->timeline.step_time());
  return std::max(1e-9, t);
}

double TimelineWidget::x_of(double t) const {
  return kLeft + t * zoom_ - horizontalScrollBar()->value();
}

double TimelineWidget::t_of(double x) const {
  return (x - kLeft + horizontalScrollBar()->value()) / zoom_;
}

void TimelineWidget::update_scrollbars() {
  const int content_w = static_cast<int>(std::ceil(step_seconds() * zoom_)) + kLeft + kRight;
  horizontalScrollBar()->setRange(0, std::max(0, content_w - viewport()->width()));
  horizontalScrollBar()->setPageStep(viewport()->width());
  const int ranks = result_ ? result_->timeline.run.ranks : 0;
  const int content_h = kTop + ranks * rank_height() + kRowGap;
  verticalScrollBar()->setRange(0, std::max(0, content_h - viewport()->height()));
  verticalScrollBar()->setPageStep(viewport()->height());
}

void TimelineWidget::set_zoom(double px_per_s, double anchor_x) {
  const double fit_zoom = std::max(1e-6, (viewport()->width() - kLeft - kRight) / step_seconds());
  const double t = t_of(anchor_x);
  // From the whole step in the window to 1 us per 10 px.
  zoom_ = std::clamp(px_per_s, fit_zoom, 1e7);
  update_scrollbars();
  horizontalScrollBar()->setValue(static_cast<int>(std::lround(kLeft + t * zoom_ - anchor_x)));
  viewport()->update();
}

void TimelineWidget::zoom_in() {
  fitted_ = false;
  set_zoom(zoom_ * 1.6, viewport()->width() / 2.0);
}

void TimelineWidget::zoom_out() {
  fitted_ = false;
  set_zoom(zoom_ / 1.6, viewport()->width() / 2.0);
}

void TimelineWidget::fit() {
  fitted_ = true;
  zoom_ = std::max(1e-6, (viewport()->width() - kLeft - kRight) / step_seconds());
  update_scrollbars();
  horizontalScrollBar()->setValue(0);
  viewport()->update();
}

void TimelineWidget::resizeEvent(QResizeEvent* e) {
  QAbstractScrollArea::resizeEvent(e);
  if (fitted_) {
    fit();
  } else {
    update_scrollbars();
  }
}

void TimelineWidget::wheelEvent(QWheelEvent* e) {
  const double steps = e->angleDelta().y() / 120.0;
  if (e->modifiers() & Qt::ShiftModifier) {
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() - static_cast<int>(steps * 60));
  } else {
    fitted_ = false;
    set_zoom(zoom_ * std::pow(1.25, steps), e->position().x());
  }
  e->accept();
}

void TimelineWidget::mousePressEvent(QMouseEvent* e) {
  drag_x_ = static_cast<int>(e->position().x());
  drag_scroll_ = horizontalScrollBar()->value();
}

void TimelineWidget::mouseMoveEvent(QMouseEvent* e) {
  if (e->buttons() & Qt::LeftButton)
    horizontalScrollBar()->setValue(drag_scroll_ - (static_cast<int>(e->position().x()) - drag_x_));
}

bool TimelineWidget::viewportEvent(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* he = static_cast<QHelpEvent*>(e);
    show_hover_tip(he, tooltip_at(he->pos()), viewport());
    return true;
  }
  return QAbstractScrollArea::viewportEvent(e);
}

QString TimelineWidget::tooltip_at(const QPoint& p) const {
  if (!result_ || p.x() < kLeft) return {};
  const int y = p.y() - kTop - kRowGap + verticalScrollBar()->value();
  const int rank = y / rank_height();
  const auto& ranks = result_->timeline.run.per_rank;
  if (y < 0 || rank >= static_cast<int>(ranks.size())) return {};
  const double t = t_of(p.x());
  if (!des_rows_.empty()) {
    const int in_rank = y - rank * rank_height();
    const int track = in_rank < kRowH ? 0 : 1 + (in_rank - kRowH) / (kSubRowH + 1);
    if (track >= kDesTracks) return {};
    const auto& tasks = result_->des_step->graph.graph.tasks();
    const double slack = 2 / zoom_;  // a block narrower than a pixel is still found
    for (const DesSpan& sp : des_rows_[static_cast<size_t>(rank)][static_cast<size_t>(track)]) {
      if (t < seconds(sp.start) - slack || t >= seconds(sp.end) + slack) continue;
      return QString("rank %1, %2: %3\n%4 to %5 (%6)")
          .arg(rank)
          .arg(to_string(static_cast<DesTrack>(track)),
               QString::fromStdString(tasks[sp.task.value].name),
               format_seconds(seconds(sp.start)), format_seconds(seconds(sp.end)),
               format_seconds(seconds(sp.end - sp.start)));
    }
    return {};
  }
  for (const TimelineEntry& en : ranks[static_cast<size_t>(rank)].timeline) {
    if (t < seconds(en.start) || t >= seconds(en.end)) continue;
    return QString("rank %1: %2\n%3 to %4 (%5)")
        .arg(rank)
        .arg(QString::fromStdString(to_string(en.instruction)))
        .arg(format_seconds(seconds(en.start)), format_seconds(seconds(en.end)),
             format_seconds(seconds(en.end - en.start)));
  }
  const double makespan = seconds(result_->timeline.run.makespan);
  const double sync = seconds(result_->timeline.dp_sync);
  if (t >= makespan && t < makespan + sync)
    return QString("DP sync (gradient reduce-scatter + parameter all-gather): %1")
        .arg(format_seconds(sync));
  if (t >= makespan + sync && t < step_seconds())
    return QString("optimizer step: %1").arg(format_seconds(seconds(result_->timeline.optimizer)));
  return {};
}

void TimelineWidget::paintEvent(QPaintEvent*) {
  QPainter p(viewport());
  if (!result_) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(viewport()->rect(), Qt::AlignCenter, "Run a scenario to see its pipeline schedule");
    return;
  }
  draw(p, view_geometry());
}

QImage TimelineWidget::render(int width) const {
  const int ranks = result_ ? result_->timeline.run.ranks : 0;
  const int height = kTop + ranks * rank_height() + kRowGap;
  QImage img(std::max(1, width), std::max(1, height), QImage::Format_ARGB32_Premultiplied);
  img.fill(palette().color(QPalette::Base));
  if (!result_) return img;
  QPainter p(&img);
  p.setRenderHint(QPainter::TextAntialiasing);
  const double zoom = std::max(1e-6, (width - kLeft - kRight) / step_seconds());
  draw(p, Geometry{zoom, 0, 0, width, height});
  return img;
}

void TimelineWidget::draw(QPainter& p, const Geometry& g) const {
  QFont small = font();
  small.setPixelSize(10);
  p.setFont(small);
  // Grid.
  const double step = nice_step(90.0 / g.zoom);
  const double t_first = std::max(0.0, std::floor(g.t_of(kLeft) / step) * step);
  p.setPen(QColor("#e4e4e4"));
  for (double t = t_first; t <= step_seconds() + step; t += step) {
    const double x = g.x_of(t);
    if (x < kLeft) continue;
    if (x > g.w) break;
    p.drawLine(QPointF(x, kTop - 4), QPointF(x, g.h));
  }
  p.setClipRect(kLeft, kTop, g.w - kLeft, g.h - kTop);
  if (des_rows_.empty()) {
    draw_schedule(p, g);
  } else {
    draw_des(p, g);
  }
  p.setClipping(false);

  // Axis labels and rank names over the scrolled area.
  p.fillRect(0, 0, g.w, kTop, palette().color(QPalette::Base));
  p.fillRect(0, 0, kLeft, g.h, palette().color(QPalette::Base));
  p.setPen(palette().color(QPalette::Text));
  for (double t = t_first; t <= step_seconds() + step; t += step) {
    const double x = g.x_of(t);
    if (x < kLeft - 1) continue;
    if (x > g.w) break;
    p.drawLine(QPointF(x, kTop - 6), QPointF(x, kTop));
    p.drawText(QRectF(x - 50, 2, 100, kTop - 8), Qt::AlignCenter,
               t < step * 1e-6 ? QString("0") : format_seconds(t));
  }
  p.drawLine(kLeft, kTop, g.w, kTop);
  const char* const sub[] = {"", "EP/TP", "send", "DP"};
  for (int r = 0; r < result_->timeline.run.ranks; ++r) {
    const double y = kTop + kRowGap + r * rank_height() - g.vscroll;
    if (y > g.h || y + rank_height() < kTop) continue;
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRectF(4, y, kLeft - 10, kRowH), Qt::AlignRight | Qt::AlignVCenter,
               QString("rank %1").arg(r));
    if (des_rows_.empty()) continue;
    p.setPen(QColor("#777777"));
    for (int k = 1; k < kDesTracks; ++k)
      p.drawText(QRectF(4, y + kRowH + (k - 1) * (kSubRowH + 1) - 1, kLeft - 10, kSubRowH + 2),
                 Qt::AlignRight | Qt::AlignVCenter, sub[k]);
  }
}

void TimelineWidget::draw_schedule(QPainter& p, const Geometry& g) const {
  const StepTimeline& tl = result_->timeline;
  const bool two_way = bidirectional(tl.run.kind);
  const int half_mb = tl.run.micro_batches / 2;
  const QFontMetrics fm(p.font());
  const double makespan = seconds(tl.run.makespan);
  for (int r = 0; r < tl.run.ranks; ++r) {
    const double y = kTop + kRowGap + r * rank_height() - g.vscroll;
    if (y > g.h || y + kRowH < kTop) continue;
    for (const TimelineEntry& en : tl.run.per_rank[static_cast<size_t>(r)].timeline) {
      const double x0 = g.x_of(seconds(en.start));
      const double x1 = g.x_of(seconds(en.end));
      if (x1 < kLeft || x0 > g.w) continue;
      const Instruction& in = en.instruction;
      const QRectF box(x0, y, std::max(1.0, x1 - x0), kRowH);
      const bool rev = two_way && in.chunk.micro_batch >= half_mb;
      p.setPen(Qt::NoPen);
      if (in.op == InstructionKind::kForwardBackward) {
        const bool brev = two_way && in.backward.micro_batch >= half_mb;
        p.setBrush(color(InstructionKind::kForward, rev));
        p.drawRect(QRectF(box.left(), box.top(), box.width(), kRowH / 2.0));
        p.setBrush(color(InstructionKind::kBackwardFull, brev));
        p.drawRect(QRectF(box.left(), box.top() + kRowH / 2.0, box.width(), kRowH / 2.0));
      } else {
        p.setBrush(color(in.op, rev));
        p.drawRect(box);
      }
      p.setPen(QColor(255, 255, 255, 200));
      p.setBrush(Qt::NoBrush);
      if (box.width() > 2) p.drawRect(box);
      if (in.op == InstructionKind::kOptimizerStep) continue;
      const QString a = QString::number(in.chunk.micro_batch);
      p.setPen(in.op == InstructionKind::kForward ? Qt::black : Qt::white);
      if (in.op == InstructionKind::kForwardBackward) {
        const QString b = QString::number(in.backward.micro_batch);
        if (box.width() > fm.horizontalAdvance(a) + 4) {
          p.setPen(Qt::black);
          p.drawText(QRectF(box.left(), box.top(), box.width(), kRowH / 2.0), Qt::AlignCenter, a);
          p.setPen(Qt::white);
          p.drawText(QRectF(box.left(), box.top() + kRowH / 2.0, box.width(), kRowH / 2.0),
                     Qt::AlignCenter, b);
        }
      } else if (box.width() > fm.horizontalAdvance(a) + 4) {
        p.drawText(box, Qt::AlignCenter, a);
      }
    }
    // Step boundary: DP sync, then the optimizer, on every rank.
    const double xs = g.x_of(makespan);
    const double xo = g.x_of(makespan + seconds(tl.dp_sync));
    const double xe = g.x_of(step_seconds());
    p.setPen(Qt::NoPen);
    p.setBrush(QColor("#b0b0b0"));
    p.drawRect(QRectF(xs, y, std::max(1.0, xo - xs), kRowH));
    p.setBrush(QColor("#555555"));
    p.drawRect(QRectF(xo, y, std::max(1.0, xe - xo), kRowH));
    p.setPen(Qt::black);
    if (xo - xs > fm.horizontalAdvance("DP sync") + 4)
      p.drawText(QRectF(xs, y, xo - xs, kRowH), Qt::AlignCenter, "DP sync");
  }
}

// The des step: every task on its rank's track, coloured as the schedule
// view colours its instruction (the F or B half of an F&B pair by its own
// chunk), DP collectives grey, the optimizer dark. Runs of tasks of one
// colour closer than a pixel are drawn as one block, so a fitted step draws
// at most a block per pixel and track, not one per task.
void TimelineWidget::draw_des(QPainter& p, const Geometry& g) const {
  const Schedule& sched = result_->timeline.schedule;
  const bool two_way = bidirectional(sched.kind);
  const int half_mb = sched.micro_batches / 2;
  const QFontMetrics fm(p.font());
  // The des step's instruction k on rank r: the same schedule (both built
  // from the scenario's plan), checked rather than trusted.
  auto instruction = [&](int r, int k) -> const Instruction* {
    if (r < 0 || k < 0 || r >= static_cast<int>(sched.per_rank.size())) return nullptr;
    const auto& list = sched.per_rank[static_cast<size_t>(r)];
    return k < static_cast<int>(list.size()) ? &list[static_cast<size_t>(k)] : nullptr;
  };
  auto span_color = [&](const DesSpan& sp, int r) {
    if (sp.track == DesTrack::kDpSync) return QColor("#b0b0b0");
    if (sp.instruction < 0) return color(InstructionKind::kOptimizerStep);
    const Instruction* i = instruction(r, sp.instruction);
    if (!i) return QColor("#888888");
    const Instruction& in = *i;
    if (in.op == InstructionKind::kForwardBackward)
      return sp.backward ? color(InstructionKind::kBackwardFull, two_way && in.backward.micro_batch >= half_mb)
                         : color(InstructionKind::kForward, two_way && in.chunk.micro_batch >= half_mb);
    return color(in.op, two_way && in.chunk.micro_batch >= half_mb);
  };
  p.setPen(Qt::NoPen);
  for (int r = 0; r < static_cast<int>(des_rows_.size()); ++r) {
    const double y = kTop + kRowGap + r * rank_height() - g.vscroll;
    if (y > g.h || y + rank_height() < kTop) continue;
    for (int k = 0; k < kDesTracks; ++k) {
      const double top = k == 0 ? y : y + kRowH + (k - 1) * (kSubRowH + 1);
      const double height = k == 0 ? kRowH : kSubRowH;
      p.fillRect(QRectF(kLeft, top, g.w - kLeft, height), QColor("#f6f6f6"));
      QColor run_color;
      double run_x0 = 0, run_x1 = -1;
      auto flush = [&] {
        if (run_x1 >= run_x0) p.fillRect(QRectF(run_x0, top, std::max(1.0, run_x1 - run_x0), height), run_color);
      };
      for (const DesSpan& sp : des_rows_[static_cast<size_t>(r)][static_cast<size_t>(k)]) {
        const double x0 = g.x_of(seconds(sp.start));
        const double x1 = g.x_of(seconds(sp.end));
        if (x1 < kLeft || x0 > g.w) continue;
        const QColor c = span_color(sp, r);
        if (c == run_color && x0 <= run_x1 + 1) {
          run_x1 = std::max(run_x1, x1);
          continue;
        }
        flush();
        run_color = c;
        run_x0 = x0;
        run_x1 = x1;
      }
      flush();
    }
    // Micro-batch numbers over each instruction's compute, where they fit.
    const auto& compute = des_rows_[static_cast<size_t>(r)][0];
    std::map<int, std::pair<double, double>> extent;  // instruction -> compute start, end
    for (const DesSpan& sp : compute) {
      if (sp.instruction < 0) continue;
      auto [it, fresh] = extent.try_emplace(sp.instruction, seconds(sp.start), seconds(sp.end));
      if (!fresh) {
        it->second.first = std::min(it->second.first, seconds(sp.start));
        it->second.second = std::max(it->second.second, seconds(sp.end));
      }
    }
    for (const auto& [k, ex] : extent) {
      const double x0 = g.x_of(ex.first), x1 = g.x_of(ex.second);
      const Instruction* i = instruction(r, k);
      if (x1 < kLeft || x0 > g.w || !i) continue;
      const Instruction& in = *i;
      const QString text = in.op == InstructionKind::kForwardBackward
                               ? QString("%1|%2").arg(in.chunk.micro_batch).arg(in.backward.micro_batch)
                               : QString::number(in.chunk.micro_batch);
      if (x1 - x0 <= fm.horizontalAdvance(text) + 4) continue;
      p.setPen(QColor(255, 255, 255, 200));
      p.setBrush(Qt::NoBrush);
      p.drawRect(QRectF(x0, y, x1 - x0, kRowH));
      p.setPen(in.op == InstructionKind::kForward ? Qt::black : Qt::white);
      p.drawText(QRectF(x0, y, x1 - x0, kRowH), Qt::AlignCenter, text);
      p.setPen(Qt::NoPen);
    }
  }
}

}  // namespace moesim::gui
