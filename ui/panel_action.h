#pragma once
// An action of a panel over a list (the gallery's grid, the history's list): named for tests and screenshots, with a
// shortcut that works only while the panel has the focus, so that Delete or Ctrl+C in the prompt editor act on its
// text and never on images or history entries.

#include <QAction>
#include <QKeySequence>
#include <QString>

namespace zimage::ui {

template <typename Panel>
QAction* makePanelAction(Panel* panel, const QString& text, const QString& name, const QKeySequence& key,
                         void (Panel::*slot)()) {
    auto* action = new QAction(text, panel);
    action->setObjectName(name);
    action->setShortcut(key);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    QObject::connect(action, &QAction::triggered, panel, slot);
    return action;
}

} // namespace zimage::ui
