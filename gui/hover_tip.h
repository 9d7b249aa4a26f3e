#pragma once
// Hover tips of views that draw their own blocks (timeline, measured vs
// simulated): the text for the block under the cursor, or none.

#include <QHelpEvent>
#include <QString>
#include <QToolTip>
#include <QWidget>

namespace moesim::gui {

// Shows `tip` for the ToolTip event `e` over `w`; an empty tip hides it.
inline void show_hover_tip(const QHelpEvent* e, const QString& tip, QWidget* w) {
  if (tip.isEmpty()) {
    QToolTip::hideText();
  } else {
    QToolTip::showText(e->globalPos(), tip, w);
  }
}

}  // namespace moesim::gui
