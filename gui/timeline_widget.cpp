#include "gui/timeline_widget.h"

#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "gui/format.h"

namespace moesim::gui {

namespace {

constexpr int kLeft = 64;  // rank labels
constexpr int kTop = 26;   // time axis
constexpr int kRowH = 26;
constexpr int kRowGap = 4;
constexpr int kRight = 16;

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

void TimelineWidget::set_result(RunResultPtr r) {
  result_ = r && r->ok ? std::move(r) : nullptr;
  fitted_ = true;
  fit();
}

double TimelineWidget::step_seconds() const {
  return result_ ? std::max(1e-9, seconds(result_->timeline.step_time())) : 1.0;
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
  const int content_h = kTop + ranks * (kRowH + kRowGap) + kRowGap;
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
    const QString tip = tooltip_at(he->pos());
    if (tip.isEmpty()) {
      QToolTip::hideText();
    } else {
      QToolTip::showText(he->globalPos(), tip, viewport());
    }
    return true;
  }
  return QAbstractScrollArea::viewportEvent(e);
}

QString TimelineWidget::tooltip_at(const QPoint& p) const {
  if (!result_ || p.x() < kLeft) return {};
  const int y = p.y() - kTop + verticalScrollBar()->value();
  const int rank = y / (kRowH + kRowGap);
  const auto& ranks = result_->timeline.run.per_rank;
  if (y < 0 || rank >= static_cast<int>(ranks.size())) return {};
  const double t = t_of(p.x());
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
  const int w = viewport()->width();
  const int h = viewport()->height();
  if (!result_) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(viewport()->rect(), Qt::AlignCenter, "Run a scenario to see its pipeline schedule");
    return;
  }
  const StepTimeline& tl = result_->timeline;
  const bool two_way = bidirectional(tl.run.kind);
  const int half_mb = tl.run.micro_batches / 2;
  QFont small = font();
  small.setPixelSize(10);
  p.setFont(small);
  const QFontMetrics fm(small);
  const int vscroll = verticalScrollBar()->value();
  const double makespan = seconds(tl.run.makespan);

  // Grid and time axis.
  const double step = nice_step(90.0 / zoom_);
  const double t_first = std::max(0.0, std::floor(t_of(kLeft) / step) * step);
  p.setPen(QColor("#e4e4e4"));
  for (double t = t_first; t <= step_seconds() + step; t += step) {
    const double x = x_of(t);
    if (x < kLeft) continue;
    if (x > w) break;
    p.drawLine(QPointF(x, kTop - 4), QPointF(x, h));
  }
  p.setClipRect(kLeft, kTop, w - kLeft, h - kTop);
  for (int r = 0; r < tl.run.ranks; ++r) {
    const double y = kTop + kRowGap + r * (kRowH + kRowGap) - vscroll;
    if (y > h || y + kRowH < kTop) continue;
    for (const TimelineEntry& en : tl.run.per_rank[static_cast<size_t>(r)].timeline) {
      const double x0 = x_of(seconds(en.start));
      const double x1 = x_of(seconds(en.end));
      if (x1 < kLeft || x0 > w) continue;
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
    const double xs = x_of(makespan);
    const double xo = x_of(makespan + seconds(tl.dp_sync));
    const double xe = x_of(step_seconds());
    p.setPen(Qt::NoPen);
    p.setBrush(QColor("#b0b0b0"));
    p.drawRect(QRectF(xs, y, std::max(1.0, xo - xs), kRowH));
    p.setBrush(QColor("#555555"));
    p.drawRect(QRectF(xo, y, std::max(1.0, xe - xo), kRowH));
    p.setPen(Qt::black);
    if (xo - xs > fm.horizontalAdvance("DP sync") + 4)
      p.drawText(QRectF(xs, y, xo - xs, kRowH), Qt::AlignCenter, "DP sync");
  }
  p.setClipping(false);

  // Axis labels and rank names over the scrolled area.
  p.fillRect(0, 0, w, kTop, palette().color(QPalette::Base));
  p.fillRect(0, 0, kLeft, h, palette().color(QPalette::Base));
  p.setPen(palette().color(QPalette::Text));
  for (double t = t_first; t <= step_seconds() + step; t += step) {
    const double x = x_of(t);
    if (x < kLeft - 1) continue;
    if (x > w) break;
    p.drawLine(QPointF(x, kTop - 6), QPointF(x, kTop));
    p.drawText(QRectF(x - 50, 2, 100, kTop - 8), Qt::AlignCenter,
               t < step * 1e-6 ? QString("0") : format_seconds(t));
  }
  p.drawLine(kLeft, kTop, w, kTop);
  for (int r = 0; r < tl.run.ranks; ++r) {
    const double y = kTop + kRowGap + r * (kRowH + kRowGap) - vscroll;
    if (y > h || y + kRowH < kTop) continue;
    p.drawText(QRectF(4, y, kLeft - 10, kRowH), Qt::AlignRight | Qt::AlignVCenter,
               QString("rank %1").arg(r));
  }
}

}  // namespace moesim::gui
